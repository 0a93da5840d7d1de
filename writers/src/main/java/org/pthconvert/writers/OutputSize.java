package org.pthconvert.writers;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.pthconvert.errors.CheckpointException;
import org.pthconvert.errors.CheckpointException.Reason;
import org.pthconvert.model.Checkpoint;
import org.pthconvert.tensor.StorageRef;
import org.pthconvert.tensor.TensorSpec;

/**
 * Refuses an output out of all proportion to its input before any byte is written: a stride-0
 * (expanded) view of a few bytes can describe terabytes, which torch would materialise too, but a
 * conversion should not fill a disk because a file said so.
 */
final class OutputSize {

    /** Outputs up to this size are never refused for their ratio: tiny checkpoints expand legitimately. */
    static final long RATIO_FLOOR = 64L << 20;

    private OutputSize() {
    }

    static void check(Checkpoint ckpt, List<TensorSpec> specs, Path out, double maxExpand)
            throws CheckpointException {
        long total = 0;
        TensorSpec largest = null;
        for (TensorSpec s : specs) {
            total = Math.addExact(total, s.byteLength());
            if (largest == null || s.byteLength() > largest.byteLength()) {
                largest = s;
            }
        }
        if (largest == null) {
            return;
        }
        // The storages are summed only for an output past the floor: a checkpoint of 100,000 small
        // tensors has as many storages, and a pass over them for nothing.
        if (maxExpand > 0 && total > RATIO_FLOOR) {
            long stored = stored(ckpt);
            if (total > maxExpand * (double) stored) {
                throw CheckpointException.of(Reason.LIMIT, "the output would hold " + total + " bytes of tensors, more than "
                                + fmt(maxExpand) + " times the " + stored + " bytes the file stores (views that repeat their"
                                + " data); raise the expansion limit to convert it").inFile(ckpt.file()).forTensor(largest.name());
            }
        }
        Path folder = out.toAbsolutePath().getParent();
        try {
            if (folder != null && Files.isDirectory(folder)) {
                long free = Files.getFileStore(folder).getUsableSpace();
                if (free > 0 && total > free) {
                    throw CheckpointException.of(Reason.LIMIT, "the output would hold " + total + " bytes of tensors but " + folder
                            + " has only " + free + " bytes free").inFile(ckpt.file()).forTensor(largest.name());
                }
            }
        } catch (IOException e) {
            // No free-space figure on this file system: the write itself will say if it runs out.
        }
    }

    private static long stored(Checkpoint ckpt) {
        long stored = 0;
        for (StorageRef s : ckpt.storages().values()) {
            stored = Math.addExact(stored, s.byteSize());
        }
        return stored;
    }

    private static String fmt(double d) {
        return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
    }
}
