/**
 * ONNX output: every tensor an initializer of an otherwise empty graph ({@link OnnxWriter}), or the
 * weights of an existing exported model refreshed in place ({@code --into}, {@link IntoGraph}). The
 * messages are protobuf-java classes generated from {@code src/main/proto/onnx.proto}; tensor bytes
 * are streamed ({@link Framing}, {@link InitializerLayout}) inline or to an external-data sidecar.
 */
package org.pthconvert.writers.onnx;
