package org.pthconvert.writers;

import java.io.Closeable;
import java.io.IOException;
import java.util.List;

import org.pthconvert.errors.CheckpointException;
import org.pthconvert.io.TensorSource;
import org.pthconvert.tensor.TensorSpec;

/**
 * Writing one output. The calls come in this order, and any other order throws
 * {@link IllegalStateException}:
 * <ol>
 *   <li>{@link #begin} once, with the whole plan: it returns the tensors whose bytes it wants, in
 *       the order it wants them (a safetensors header or an ONNX size must be known before any
 *       data; a tied weight stored once needs its bytes once);</li>
 *   <li>{@link #write} once per returned tensor, in exactly that order;</li>
 *   <li>{@link #finish} once, which completes the output;</li>
 *   <li>{@link #close} always. Without a successful {@code finish}, closing aborts: resources are
 *       released and the target is left incomplete, for the caller to delete.</li>
 * </ol>
 * After any call throws, the session is failed: only {@code close} is allowed. Implementations
 * extend {@link AbstractWriteSession}, which enforces all of this.
 */
public interface WriteSession extends Closeable {

    /**
     * Receives every tensor before any data.
     *
     * @throws CheckpointException with {@link CheckpointException.Reason#UNSUPPORTED} naming a tensor
     *                             the format cannot hold (see {@link TensorWriter#refuse}), or two
     *                             names the format would confuse
     */
    List<TensorSpec> begin(WritePlan plan) throws IOException, CheckpointException;

    /**
     * Writes one tensor's bytes: C-contiguous, little-endian, {@code spec.byteLength()} of them, in
     * {@code spec}'s own dtype (the writer converts if it stores another).
     *
     * @throws IllegalStateException    when this is not the next spec in the order {@code begin} gave
     * @throws IllegalArgumentException when {@code bytes} is not {@code spec.byteLength()} long
     */
    void write(TensorSpec spec, TensorSource bytes) throws IOException, CheckpointException;

    /** Completes the output after the last {@link #write}; the target is then whole. */
    void finish() throws IOException, CheckpointException;

    /** Tensors stored in a dtype other than their own (widened, or as raw bits); empty if none. */
    List<TypeChange> typeChanges();

    /**
     * Lines for the conversion's summary about what the format did beyond type changes (names an
     * HDF5 file could not hold as paths); empty if none. Valid after {@link #finish}.
     */
    default List<String> notes() {
        return List.of();
    }

    /** Releases everything; aborts unless {@link #finish} succeeded. Idempotent. */
    @Override
    void close() throws IOException;
}
