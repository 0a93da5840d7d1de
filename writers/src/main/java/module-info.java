/**
 * The writers. Exported: the writer SPI and registry ({@code org.pthconvert.writers}), the
 * conversion service that convert, strip, batch and the Spark job share ({@code writers.service})
 * and the batch library ({@code writers.batch}). The formats' packages stay closed: other modules
 * reach them through {@link java.util.ServiceLoader}, and {@code Writers.standard()} makes this
 * module's own directly (a start-up cost less). The same list is in META-INF/services for the shaded
 * jar, which runs on the class path. {@code WritersModuleTest} and {@code WritersTest} pin all three.
 */
module org.pthconvert.writers {
    requires transitive org.pthconvert.core;
    requires org.apache.commons.compress;
    requires io.jhdf;
    requires com.google.protobuf;

    exports org.pthconvert.writers;
    exports org.pthconvert.writers.batch;
    exports org.pthconvert.writers.service;

    // protobuf's runtime reads the generated ONNX classes reflectively (descriptors, accessors).
    opens org.pthconvert.writers.onnx.proto to com.google.protobuf;

    uses org.pthconvert.writers.TensorWriter;
    provides org.pthconvert.writers.TensorWriter with
            org.pthconvert.writers.safetensors.SafetensorsWriter,
            org.pthconvert.writers.npz.NpzWriter,
            org.pthconvert.writers.hdf5.Hdf5Writer,
            org.pthconvert.writers.pth.PthWriter,
            org.pthconvert.writers.onnx.OnnxWriter;
}
