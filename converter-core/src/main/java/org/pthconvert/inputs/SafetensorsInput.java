package org.pthconvert.inputs;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.pthconvert.archive.CheckpointContainer.Format;
import org.pthconvert.errors.CheckpointException;
import org.pthconvert.io.ByteSource;
import org.pthconvert.io.InPlaceStorage;
import org.pthconvert.pickle.PickleValue.PDict;
import org.pthconvert.pickle.PickleValue.PStr;

/**
 * A safetensors file as a checkpoint: an OrderedDict of its tensors in header order, each read in
 * place from its byte range (transferTo-capable), and {@code __metadata__} as a dict of strings
 * under that key so that {@code inspect} shows it.
 */
final class SafetensorsInput {
    static final String METADATA_KEY = "__metadata__";

    private SafetensorsInput() {
    }

    static AssembledContainer open(Path file, FileChannel ch) throws IOException, CheckpointException {
        return open(file, ch, Format.SAFETENSORS);
    }

    /** As {@link #open(Path, FileChannel)}, the input's kind being {@code format}. */
    static AssembledContainer open(Path file, FileChannel ch, Format format) throws IOException, CheckpointException {
        SafetensorsFile st = SafetensorsFile.read(ch, file);
        AssembledContainer c = new AssembledContainer(file, format, SafetensorsFile.HEADER, List.of());
        c.own(ch);
        PDict root = new PDict(true);
        add(c, root, st, ch, "");
        if (!st.metadata().isEmpty()) {
            root.put(new PStr(METADATA_KEY), strings(st.metadata()));
        }
        c.setRoot(root);
        return c;
    }

    /** Adds every tensor of {@code st} to {@code root}, storage keys prefixed with {@code keyPrefix}. */
    static void add(AssembledContainer c, PDict root, SafetensorsFile st, FileChannel ch, String keyPrefix) {
        ByteSource source = ByteSource.of(ch, st.file().toString()); // a view of ch; ch is closed by c
        for (SafetensorsFile.Entry e : st.entries()) {
            String key = keyPrefix + e.name();
            InPlaceStorage bytes = new InPlaceStorage(source, Math.addExact(st.dataStart(), e.begin()), e.size(),
                    st.file(), e.name());
            root.put(new PStr(e.name()), c.tensor(key, e.dtype(), e.shape(), bytes));
        }
    }

    static PDict strings(Map<String, String> m) {
        PDict d = new PDict(false);
        m.forEach((k, v) -> d.put(new PStr(k), new PStr(v)));
        return d;
    }
}
