package org.pthconvert.writers.hdf5;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.util.List;

import io.jhdf.object.message.Message;
import org.pthconvert.errors.CheckpointException;
import org.pthconvert.io.TensorSource;

/**
 * How one dataset's elements are laid out in the file. Its messages have the same encoded size
 * before and after the data is written (placeholders first), so headers can be planned up front.
 */
interface DataStorage {

    /** The filter pipeline (if any) and data layout messages for the dataset's object header. */
    List<Message> messages();

    /**
     * Writes the elements (C order, little-endian, in the stored dtype) at {@code at}.
     *
     * @return the first byte after what was written
     */
    long write(FileChannel out, long at, TensorSource bytes, String tensor) throws IOException, CheckpointException;
}
