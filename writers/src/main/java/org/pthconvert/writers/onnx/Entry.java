package org.pthconvert.writers.onnx;

import java.nio.file.Path;

import org.pthconvert.tensor.TensorSpec;
import org.pthconvert.writers.onnx.proto.Onnx.TensorProto;

/**
 * One initializer of the output graph, in graph order, after {@link InitializerLayout} placed it.
 * {@code proto} is what the model file holds for it.
 */
sealed interface Entry {

    TensorProto proto();

    /** Bytes in the sidecar, or -1 when the model file holds everything. */
    long sidecarOffset();

    /**
     * A checkpoint tensor. Inline ({@code sidecarOffset < 0}): {@code proto} lacks {@code raw_data},
     * which is framed by hand and streamed after it. External: {@code proto} is complete and the
     * bytes go to the sidecar at {@code sidecarOffset}.
     */
    record Fresh(TensorSpec spec, TensorProto proto, long sidecarOffset) implements Entry {
    }

    /** An initializer of the {@code --into} graph kept as it was, its data inline. */
    record Kept(TensorProto proto) implements Entry {
        @Override
        public long sidecarOffset() {
            return -1;
        }
    }

    /**
     * An initializer of the {@code --into} graph kept, whose external data is copied from
     * {@code file} to the new sidecar; {@code proto} already points at the new place.
     */
    record Moved(TensorProto proto, Path file, long fileOffset, long length, long sidecarOffset) implements Entry {
    }
}
