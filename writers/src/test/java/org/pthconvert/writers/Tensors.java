package org.pthconvert.writers;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.pthconvert.dtype.Dtype;
import org.pthconvert.tensor.Shape;
import org.pthconvert.tensor.TensorSpec;

/** Tensors with their bytes, in the caller's order, and the one way tests drive a whole session. */
public final class Tensors {
    private final Map<String, TensorSpec> specs = new LinkedHashMap<>();
    private final Map<String, byte[]> data = new LinkedHashMap<>();

    public Tensors add(String name, Dtype dtype, Shape shape, byte[] bytes) {
        specs.put(name, new TensorSpec(name, dtype, shape));
        data.put(name, bytes);
        return this;
    }

    public Tensors add(String name, Dtype dtype, Shape shape, int seed) {
        return add(name, dtype, shape, Fixtures.pattern(dtype, shape, seed));
    }

    public List<TensorSpec> specs() {
        return new ArrayList<>(specs.values());
    }

    public byte[] bytes(String name) {
        return data.get(name);
    }

    /** begin, every write in the order begin gives, finish, close; returns the session. */
    public WriteSession writeAll(TensorWriter writer, Path target, WriteOptions opts) throws Exception {
        try (WriteSession s = writer.open(OutputTarget.direct(target), opts)) {
            for (TensorSpec spec : s.begin(WritePlan.of(specs(), Map.of()))) {
                s.write(spec, new ArraySource(data.get(spec.name()), 7));
            }
            s.finish();
            return s;
        }
    }
}
