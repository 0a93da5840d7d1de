/**
 * The one checked exception of the reader, which says what went wrong and where (file, record, byte offset, tensor).
 */
package org.pthconvert.errors;
