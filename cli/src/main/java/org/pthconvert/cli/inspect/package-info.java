/**
 * The tree {@code inspect} shows: built once from a checkpoint as nodes, rendered as text or JSON.
 */
package org.pthconvert.cli.inspect;
