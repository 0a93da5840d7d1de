/**
 * The writer plug-in interface and what every writer shares.
 *
 * <p>{@link org.pthconvert.writers.TensorWriter} is one output format, found by name or extension
 * through {@link org.pthconvert.writers.Writers} (built-ins plus {@link java.util.ServiceLoader});
 * {@link org.pthconvert.writers.WriteSession} writes one output in a fixed call order, which
 * {@link org.pthconvert.writers.CallOrder} enforces; {@link org.pthconvert.writers.WriteOptions}
 * carries the settings; {@link org.pthconvert.writers.AtomicOutput} makes the result appear whole
 * or not at all. Formats live in sub-packages.
 */
package org.pthconvert.writers;
