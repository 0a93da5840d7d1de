package org.pthconvert.writers.onnx;

import java.nio.file.Path;

import org.pthconvert.tensor.TensorSpec;
import org.pthconvert.writers.onnx.proto.Onnx.TensorProto;

/** An initializer before {@link InitializerLayout} has decided where its bytes go. */
sealed interface Draft {

    /**
     * A checkpoint tensor; {@code template} is the {@code --into} initializer it replaces (its
     * doc_string and metadata are kept), or null.
     */
    record Fresh(TensorSpec spec, TensorProto template) implements Draft {
    }

    /** An {@code --into} initializer with inline data, kept as it is. */
    record Kept(TensorProto proto) implements Draft {
    }

    /** An {@code --into} initializer whose data lies in {@code file} at {@code offset}. */
    record External(TensorProto proto, Path file, long offset, long length) implements Draft {
    }
}
