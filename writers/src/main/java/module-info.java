/**
 * The writers. Exported: the writer SPI and registry ({@code org.pthconvert.writers}), the
 * conversion service that convert, strip, batch and the Spark job share ({@code writers.service})
 * and the batch library ({@code writers.batch}). The formats themselves are found only through
 * {@link java.util.ServiceLoader}, so their packages stay closed; the same list is in
 * META-INF/services for the shaded jar, which runs on the class path. {@code ModuleExportsTest}
 * (writers) pins both.
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
