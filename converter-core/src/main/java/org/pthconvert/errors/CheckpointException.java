package org.pthconvert.errors;

import java.nio.file.Path;
import java.util.Objects;

/**
 * A checkpoint could not be read, or was refused: one of a small closed set of {@link Reason}s,
 * with where it happened (the file, the record inside it, the byte offset, the tensor), so that one
 * line tells a user what is wrong and where, and a caller (batch, a Spark job) can switch on the
 * kind. Made in one expression, each part only where known:
 *
 * <pre>{@code
 * throw CheckpointException.invalid("view ends past its storage").inFile(file).at("archive/data.pkl", 0x1a3)
 *         .forTensor("fc.weight");
 * }</pre>
 *
 * Every field is a plain value (the file as text), so the exception crosses Java serialization
 * (Spark sends it between processes) with its message whole.
 */
public class CheckpointException extends Exception {

    private static final long serialVersionUID = 2L;

    /** Why reading stopped; the CLI maps these to exit codes and scan verdicts. */
    public enum Reason {
        /** Not a checkpoint, corrupt, truncated or inconsistent. */
        INVALID,
        /** Loading it with torch.load would run code: never run here, refused. */
        DANGEROUS,
        /** Valid, but holds something this tool cannot produce exactly (named). */
        UNSUPPORTED,
        /** Exceeds a resource limit (nesting, sizes, counts, output size). */
        LIMIT,
        /** The file system failed us while reading (missing file, permission). */
        IO,
        /** The output could not be written as asked (disk full, a format's own limit). */
        OUTPUT
    }

    private final Reason reason;
    private final String file;
    private final String record;
    private final long offset;
    private final String tensor;
    private final String detail;

    private CheckpointException(Reason reason, String file, String record, long offset, String tensor,
                                String detail, Throwable cause) {
        super(detail, cause);
        this.reason = Objects.requireNonNull(reason, "reason");
        this.file = file;
        this.record = record;
        this.offset = offset;
        this.tensor = tensor;
        this.detail = detail;
    }

    /** A failure of this kind, saying what; add where with {@link #inFile}, {@link #at}, {@link #forTensor}. */
    public static CheckpointException of(Reason reason, String detail) {
        return new CheckpointException(reason, (String) null, null, -1, null, detail, null);
    }

    public static CheckpointException invalid(String detail) {
        return of(Reason.INVALID, detail);
    }

    public static CheckpointException dangerous(String detail) {
        return of(Reason.DANGEROUS, detail);
    }

    public static CheckpointException unsupported(String detail) {
        return of(Reason.UNSUPPORTED, detail);
    }

    public static CheckpointException limit(String detail) {
        return of(Reason.LIMIT, detail);
    }

    public static CheckpointException output(String detail) {
        return of(Reason.OUTPUT, detail);
    }

    public static CheckpointException invalid(Path file, String detail) {
        return invalid(detail).inFile(file);
    }

    public static CheckpointException at(Reason reason, Path file, String record, long offset, String detail) {
        return of(reason, detail).inFile(file).at(record, offset);
    }

    public Reason reason() { return reason; }

    /** The file concerned, or null. */
    public Path file() { return file == null ? null : Path.of(file); }

    /** The file concerned as it was named (also for files on other file systems), or null. */
    public String fileName() { return file; }

    public String record() { return record; }

    /** Byte offset inside {@link #record()} (or the file when there is no record), or -1. */
    public long offset() { return offset; }

    public String tensor() { return tensor; }

    public String detail() { return detail; }

    /** The same error, now known to concern one tensor (a tensor already named is kept). */
    public CheckpointException forTensor(String name) {
        if (tensor != null || name == null) {
            return this;
        }
        return copy(reason, file, record, offset, name);
    }

    /** The same error with the file filled in, for code below the layer that knows it. */
    public CheckpointException inFile(Path path) {
        return path == null ? this : inFile(path.toString());
    }

    /** As {@link #inFile(Path)}, for files named by other file systems ({@code hdfs://...}). */
    public CheckpointException inFile(String name) {
        if (file != null || name == null) {
            return this;
        }
        return copy(reason, name, record, offset, tensor);
    }

    /** The same error at a record and byte offset ({@code -1} when only the record is known). */
    public CheckpointException at(String recordName, long byteOffset) {
        if (record != null || (recordName == null && byteOffset < 0)) {
            return this;
        }
        return copy(reason, file, recordName, byteOffset, tensor);
    }

    /** The same error, caused by {@code cause} (kept for {@code --debug}). */
    public CheckpointException causedBy(Throwable cause) {
        if (cause == null || getCause() != null) {
            return this;
        }
        CheckpointException e = new CheckpointException(reason, file, record, offset, tensor, detail, cause);
        e.setStackTrace(getStackTrace());
        return e;
    }

    private CheckpointException copy(Reason r, String f, String rec, long off, String t) {
        CheckpointException e = new CheckpointException(r, f, rec, off, t, detail, getCause());
        e.setStackTrace(getStackTrace());
        return e;
    }

    /** Names longer than this are shortened in messages; {@link #tensor()} and {@link #record()} keep them whole. */
    static final int SHOWN_NAME = 200;

    /**
     * A name from a file as a message shows it: whole up to {@value #SHOWN_NAME} characters, else its
     * start and its length ({@code a.a.a...(200001 characters)}). A file can hold names of megabytes,
     * and a message is one readable line.
     */
    public static String shown(String name) {
        return shown(name, SHOWN_NAME - 40);
    }

    /**
     * Text from a file as a message shows it: whole when at most 40 characters longer than {@code keep},
     * else its first {@code keep} characters and its length, never half of a surrogate pair. The one
     * way every message shortens what a file holds ({@link #shown(String)} for names).
     */
    public static String shown(String text, int keep) {
        if (text.length() <= keep + 40) {
            return text;
        }
        int cut = keep;
        if (cut > 0 && Character.isHighSurrogate(text.charAt(cut - 1))) {
            cut--;
        }
        return text.substring(0, cut) + "...(" + text.length() + " characters)";
    }

    /** {@code model.pth: archive/data.pkl @0x1a3: tensor 'fc.weight': view ends past its storage}. */
    @Override
    public String getMessage() {
        StringBuilder sb = new StringBuilder();
        if (file != null) {
            sb.append(file).append(": ");
        }
        if (record != null) {
            sb.append(shown(record));
            if (offset >= 0) {
                sb.append(" @0x").append(Long.toHexString(offset));
            }
            sb.append(": ");
        } else if (offset >= 0) {
            sb.append("byte 0x").append(Long.toHexString(offset)).append(": ");
        }
        if (tensor != null) {
            sb.append("tensor '").append(shown(tensor)).append("': ");
        }
        sb.append(detail);
        return sb.toString();
    }
}
