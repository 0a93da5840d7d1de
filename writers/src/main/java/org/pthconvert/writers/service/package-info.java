/**
 * The conversion as a library call, without any command-line types: a {@link
 * org.pthconvert.writers.service.ConversionRequest} in, a {@link
 * org.pthconvert.writers.service.ConversionResult} out. {@code convert}, {@code strip}, {@code batch}
 * and the Spark job all call {@link org.pthconvert.writers.service.ConversionService}.
 */
package org.pthconvert.writers.service;
