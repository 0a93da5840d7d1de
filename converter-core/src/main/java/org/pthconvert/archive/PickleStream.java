package org.pthconvert.archive;

import java.io.IOException;
import java.io.InputStream;

import org.pthconvert.errors.CheckpointException;

/**
 * One pickle that torch.load could unpickle from a file, to be audited: a zip record (every
 * {@code *.pkl}, in any case, duplicates included) or one of a legacy stream's successive pickles.
 *
 * @param record     name for messages and audit entries ({@code archive/data.pkl}, {@code sys_info pickle})
 * @param baseOffset where the pickle starts in {@code record}'s coordinates (a legacy file's offset)
 * @param opener     opens the bytes from the pickle's first byte (to its end, or to the end of the file)
 */
public record PickleStream(String record, long baseOffset, Opener opener) {

    /** Opens the stream; each call gives a fresh stream from the first byte. */
    @FunctionalInterface
    public interface Opener {
        InputStream open() throws IOException, CheckpointException;
    }

    public InputStream open() throws IOException, CheckpointException {
        return opener.open();
    }
}
