package org.pthconvert.writers;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import org.pthconvert.tensor.TensorSpec;

/**
 * One output format. Found by {@link Writers}: the built-ins plus any implementation listed in
 * {@code META-INF/services/org.pthconvert.writers.TensorWriter} (which needs a public no-argument
 * constructor). A writer holds no state of its own; each output is one {@link WriteSession}.
 *
 * <p>The caller asks {@link #refuse} about every tensor first, so that it can stop (naming the
 * tensor) or skip refused tensors ({@code --skip-unsupported}) before any byte is written; then it
 * {@linkplain #open opens} a session on a temporary path from {@link AtomicOutput} and commits that
 * path once the session has finished.
 */
public interface TensorWriter {

    /** Short, lower-case name a user types: {@code safetensors}. */
    String name();

    /** File name extensions, with the dot and lower case, most usual first: {@code .safetensors}. */
    List<String> extensions();

    /** One line for {@code --help} and format listings, saying what is kept and what is changed. */
    String describe();

    /**
     * Why this format cannot hold the tensor exactly under these options, or empty if it can. The
     * reason is a phrase that follows the tensor name: "safetensors has no complex128 type".
     * A session's {@link WriteSession#begin} refuses the same tensors.
     */
    Optional<String> refuse(TensorSpec spec, WriteOptions opts);

    /**
     * Whether the format keeps string metadata (the {@code metadata} of {@link WriteSession#begin}).
     * {@code --dedupe} needs it to record which names were folded into which: without it, dropping a
     * name would lose it silently, so the conversion refuses instead.
     */
    default boolean keepsMetadata() {
        return false;
    }

    /** Whether {@link #open} writes a directory rather than a file under these options. */
    default boolean writesDirectory(WriteOptions opts) {
        return false;
    }

    /**
     * Starts writing to {@code target}: a file path (which may exist, empty, and is truncated) or,
     * when {@link #writesDirectory}, an existing empty directory. The session writes only there and
     * never renames it; making the result visible under the final name is the caller's job.
     */
    WriteSession open(Path target, WriteOptions opts) throws IOException;
}
