package org.pthconvert.spark;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.NoSuchFileException;

import org.pthconvert.errors.CheckpointException;
import org.pthconvert.errors.InvalidRequestException;
import org.pthconvert.writers.Conversion;

/**
 * The one line {@code convert} prints for a failure (without its {@code pthconvert: } prefix), for a
 * report row. Worded as the CLI's reporter words it; the CLI is no dependency of this module.
 */
final class FailureLine {
    private FailureLine() {
    }

    static String of(Throwable e) {
        String line;
        if (e instanceof CheckpointException ce) {
            line = ce.getMessage().replace(Conversion.SKIP_HINT, " (--skip-unsupported skips it)");
        } else if (e instanceof NoSuchFileException nf) {
            line = nf.getFile() + ": no such file";
        } else if (e instanceof FileAlreadyExistsException fe) {
            line = fe.getFile() + ": already exists (use --force to replace it)";
        } else if (e instanceof AccessDeniedException ad) {
            line = ad.getFile() + ": permission denied";
        } else if (e instanceof IOException io) {
            line = "I/O error: " + io.getMessage();
        } else if (e instanceof InvalidRequestException ire) {
            line = ire.getMessage();
        } else if (e instanceof OutOfMemoryError) {
            line = "out of memory (this is a bug: pthconvert should stream; please report it)";
        } else if (e instanceof StackOverflowError) {
            line = "nested too deeply for this reader (this is a bug: please report it)";
        } else {
            line = "internal error: " + e + " (please report it)";
        }
        return line.replace('\n', ' ').replace('\r', ' ');
    }
}
