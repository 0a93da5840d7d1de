/**
 * Text forms shared by the commands and the inspect renderers: JSON output and human sizes. Depends
 * on nothing else of the CLI, so both can use it without a cycle.
 */
package org.pthconvert.cli.format;
