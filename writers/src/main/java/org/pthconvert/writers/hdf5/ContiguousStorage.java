package org.pthconvert.writers.hdf5;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.util.List;

import io.jhdf.object.message.DataLayoutMessage.ContiguousDataLayoutMessage;
import io.jhdf.object.message.Message;
import org.pthconvert.errors.CheckpointException;
import org.pthconvert.io.TensorSource;
import org.pthconvert.writers.WriterFailures;

/**
 * Contiguous layout: the elements as one run of bytes, moved from the checkpoint with
 * {@link TensorSource#transferTo} (file to file for contiguous views, through a bounded buffer for
 * strided views and widenings). An empty dataset has no data and an undefined address, as the HDF5
 * library writes it.
 */
final class ContiguousStorage implements DataStorage {

    private final long size;
    private long address = ObjectHeaders.UNDEFINED_ADDRESS;

    ContiguousStorage(long size) {
        this.size = size;
    }

    @Override
    public List<Message> messages() {
        return List.of(ContiguousDataLayoutMessage.create(address, size));
    }

    @Override
    public long write(FileChannel out, long at, TensorSource bytes, String tensor)
            throws IOException, CheckpointException {
        if (bytes.byteLength() != size) {
            throw WriterFailures.invalid(tensor, "source has " + bytes.byteLength() + " bytes, the dataset " + size);
        }
        if (size == 0) {
            return at;
        }
        out.position(at);
        bytes.transferTo(out);
        long end = out.position();
        if (end != Math.addExact(at, size)) {
            throw WriterFailures.invalid(tensor, "source gave " + (end - at) + " bytes, expected " + size);
        }
        address = at;
        return end;
    }
}
