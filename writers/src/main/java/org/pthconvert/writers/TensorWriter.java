package org.pthconvert.writers;

import java.io.IOException;
import java.util.List;
import java.util.Optional;

import org.pthconvert.tensor.TensorSpec;

/**
 * One output format. Found by {@link Writers}: the built-ins directly ({@link Writers#standard}),
 * plug-ins through {@link java.util.ServiceLoader} ({@link Writers#load}): every implementation
 * listed in {@code META-INF/services/org.pthconvert.writers.TensorWriter} (with a public
 * no-argument constructor), where the built-ins are listed too. A writer holds no state of its own;
 * each output is one {@link WriteSession}.
 *
 * <p>The caller asks {@link #refuse} about every tensor first, so that it can stop (naming the
 * tensor) or skip refused tensors ({@code --skip-unsupported}) before any byte is written; then it
 * {@linkplain #open opens} a session on temporaries ({@link OutputTarget}) and commits them once
 * the session has finished.
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
     * Settings of this writer beyond the common ones: each is a flag of {@code convert} and a
     * {@code -O key=value}; values reach {@link #open} through {@link WriteOptions#extra}, already
     * checked against the option's type.
     */
    default List<WriterOption> options() {
        return List.of();
    }

    /**
     * Checks the whole option set before any work (combinations, values the type cannot say):
     * empty when fine, else the reason, which the CLI shows as a usage error.
     */
    default Optional<String> checkOptions(WriteOptions opts) {
        return Optional.empty();
    }

    /**
     * Starts writing to {@code target}: its {@link OutputTarget#main()} is an empty file or, when
     * {@link #writesDirectory}, an empty directory. The session writes only to the target's paths
     * and never renames them; making the result visible is the caller's job.
     */
    WriteSession open(OutputTarget target, WriteOptions opts) throws IOException;
}
