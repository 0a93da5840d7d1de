package org.pthconvert.errors;

import java.nio.file.Path;

/**
 * A checkpoint could not be read, or was refused. Carries where: the file, the record inside it,
 * the byte offset and the tensor, so that one line tells a user what is wrong and where.
 */
public class CheckpointException extends Exception {

    /** Why reading stopped; the CLI maps these to exit codes and scan verdicts. */
    public enum Reason {
        /** Not a checkpoint, corrupt, truncated or inconsistent. */
        INVALID,
        /** Loading it with torch.load would run code: never run here, refused. */
        DANGEROUS,
        /** Valid, but holds something this tool cannot produce exactly (named). */
        UNSUPPORTED,
        /** Exceeds a resource limit (nesting, sizes, counts). */
        LIMIT,
        /** The file system failed us (missing file, permission, disk full). */
        IO
    }

    private final Reason reason;
    private final transient Path file;
    private final String record;
    private final long offset;
    private final String tensor;
    private final String detail;

    public CheckpointException(Reason reason, Path file, String record, long offset, String tensor,
                               String detail, Throwable cause) {
        super(detail, cause);
        this.reason = reason;
        this.file = file;
        this.record = record;
        this.offset = offset;
        this.tensor = tensor;
        this.detail = detail;
    }

    public static CheckpointException invalid(Path file, String detail) {
        return new CheckpointException(Reason.INVALID, file, null, -1, null, detail, null);
    }

    public static CheckpointException at(Reason reason, Path file, String record, long offset, String detail) {
        return new CheckpointException(reason, file, record, offset, null, detail, null);
    }

    public Reason reason() { return reason; }
    public Path file() { return file; }
    public String record() { return record; }
    /** Byte offset inside {@link #record()} (or the file when there is no record), or -1. */
    public long offset() { return offset; }
    public String tensor() { return tensor; }
    public String detail() { return detail; }

    /** The same error, now known to concern one tensor. */
    public CheckpointException forTensor(String name) {
        if (tensor != null) {
            return this;
        }
        return new CheckpointException(reason, file, record, offset, name, detail, getCause());
    }

    /** The same error with the file filled in, for code below the layer that knows it. */
    public CheckpointException inFile(Path path) {
        if (file != null) {
            return this;
        }
        return new CheckpointException(reason, path, record, offset, tensor, detail, getCause());
    }

    /** {@code model.pth: archive/data.pkl @0x1a3: tensor 'fc.weight': view ends past its storage}. */
    @Override
    public String getMessage() {
        StringBuilder sb = new StringBuilder();
        if (file != null) {
            sb.append(file).append(": ");
        }
        if (record != null) {
            sb.append(record);
            if (offset >= 0) {
                sb.append(" @0x").append(Long.toHexString(offset));
            }
            sb.append(": ");
        } else if (offset >= 0) {
            sb.append("byte 0x").append(Long.toHexString(offset)).append(": ");
        }
        if (tensor != null) {
            sb.append("tensor '").append(tensor).append("': ");
        }
        sb.append(detail);
        return sb.toString();
    }
}
