package org.pthconvert.archive;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.pthconvert.errors.CheckpointException;
import org.pthconvert.io.StorageBytes;

/**
 * The outer layer of a checkpoint: where the pickle is and where each storage's bytes are.
 * {@link ZipContainer} for torch >= 1.6 and TorchScript; {@link LegacyContainer} for the old stream.
 */
public interface CheckpointContainer extends Closeable {

    enum Format {
        ZIP, TORCHSCRIPT, LEGACY,
        // Inputs assembled by org.pthconvert.inputs (issue 16):
        /** One safetensors file. */
        SAFETENSORS,
        /** A Hugging Face folder of torch.save shards with pytorch_model.bin.index.json. */
        SHARDED_BIN,
        /** A Hugging Face folder of safetensors shards with model.safetensors.index.json. */
        SHARDED_SAFETENSORS,
        /** A torch.distributed.checkpoint folder (.metadata and .distcp files). */
        DCP,
        /** A folder without an index whose weights are one model.safetensors. */
        FOLDER_SAFETENSORS,
        /** A folder without an index whose weights are one torch.save pytorch_model.bin. */
        FOLDER_BIN
    }

    Path file();

    Format format();

    /** Byte order of storage data; big-endian data is swapped by the tensor sources. */
    ByteOrder byteOrder();

    /** Name used for {@code data.pkl} in error messages, e.g. {@code archive/data.pkl}. */
    String pickleRecordName();

    /** The main pickle stream (bounded; never more bytes than the record holds). */
    InputStream openPickle() throws IOException, CheckpointException;

    /**
     * Where the main pickle starts inside {@link #pickleRecordName()}: 0 for a zip record; in a
     * legacy file its file offset. Pass it as the {@code Unpickler}'s base offset so that error
     * offsets point into the file.
     */
    default long pickleOffset() {
        return 0;
    }

    /**
     * Every pickle torch.load could unpickle from this file, the main pickle first: all of them are
     * audited before the file is read or refused (a code-running call in any one makes the file
     * dangerous, whatever else is wrong with it).
     */
    default List<PickleStream> pickles() {
        return List.of(new PickleStream(pickleRecordName(), pickleOffset(), this::openPickle));
    }

    /**
     * Why the file must be refused once its {@link #pickles()} have been audited and found not
     * dangerous (an ambiguous zip, a bare pickle that is no checkpoint, a broken legacy header), or
     * null when it can be read. While non-null, only {@link #pickles()} may be used.
     */
    default CheckpointException deferredRefusal() {
        return null;
    }

    /** Problems that did not stop reading (e.g. bytes after a legacy file's last storage), one line each. */
    default List<String> warnings() {
        return List.of();
    }

    /** Record names (zip entries without the top folder), for inspect and TorchScript lookups. */
    List<String> recordNames();

    /** Another record's stream (e.g. {@code constants.pkl}, {@code code/__torch__/x.py}), size-bounded. */
    InputStream openRecord(String name) throws IOException, CheckpointException;

    /**
     * The bytes of storage {@code key}. {@code elementSizes} gives, for every key the pickle named,
     * the element width in bytes (the legacy format stores counts in elements, not bytes).
     */
    StorageBytes storage(String key, Map<String, Integer> elementSizes) throws IOException, CheckpointException;

    /**
     * True when {@link #storage} of a storage already handed out is cheap (a directory look-up, no
     * reading), safe from any thread, and needs no element sizes: the caller may then make it again
     * whenever it needs it rather than hold one object per storage.
     */
    default boolean storagesCheapToReopen() {
        return false;
    }

    /**
     * The size of storage {@code key} when the container knows it without making its bytes (a stored
     * zip record: a directory look-up), else -1, and then {@link #storage} is the way; fails as
     * {@link #storage} would for a storage that is not there. Checking 100,000 storages' sizes at
     * opening then makes no object per storage.
     */
    default long plainStorageSize(String key) throws IOException, CheckpointException {
        return -1;
    }
}
