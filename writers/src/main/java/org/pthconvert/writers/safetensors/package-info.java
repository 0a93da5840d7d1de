/**
 * The safetensors writer: a single file byte-identical to the reference writer, or the sharded
 * Hugging Face directory layout with its index.
 */
package org.pthconvert.writers.safetensors;
