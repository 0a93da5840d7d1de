package org.pthconvert.writers.hdf5;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

import io.jhdf.HdfFile;
import io.jhdf.api.Dataset;
import io.jhdf.api.Group;
import io.jhdf.api.Node;
import io.jhdf.dataset.DatasetBase;
import io.jhdf.object.datatype.CompoundDataType;
import io.jhdf.object.datatype.DataType;
import io.jhdf.object.datatype.EnumDataType;
import io.jhdf.object.datatype.FixedPoint;
import io.jhdf.object.datatype.FloatingPoint;

/** Reads a written file back with jhdf: every dataset by its {@code name} attribute. */
final class H5Read {

    /** A dataset as jhdf sees it: numpy-style dtype name, shape, raw bytes, path, header address. */
    record Read(String dtype, long[] shape, byte[] bytes, String path, long address, String torchDtype) {
    }

    private H5Read() {
    }

    static Map<String, Read> all(Path file) {
        Map<String, Read> out = new LinkedHashMap<>();
        try (HdfFile f = new HdfFile(file)) {
            walk(f, out, new HashSet<>());
        }
        return out;
    }

    static Map<String, Object> rootAttributes(Path file) {
        Map<String, Object> out = new LinkedHashMap<>();
        try (HdfFile f = new HdfFile(file)) {
            f.getAttributes().forEach((k, v) -> out.put(k, v.getData()));
        }
        return out;
    }

    private static void walk(Group g, Map<String, Read> out, Set<Long> seen) {
        for (Node n : g.getChildren().values()) {
            if (n instanceof Group child) {
                walk(child, out, seen);
            } else if (n instanceof Dataset d && seen.add(d.getAddress())) {
                String name = (String) d.getAttribute("name").getData();
                String torch = (String) d.getAttribute("torch_dtype").getData();
                byte[] bytes = new byte[0];
                if (d.getSize() > 0) {
                    ByteBuffer b = ((DatasetBase) d).getDataBuffer();
                    bytes = new byte[b.remaining()];
                    b.duplicate().get(bytes);
                }
                if (out.put(name, new Read(dtype(d.getDataType()), d.getDimensionsAsLong(), bytes, d.getPath(),
                        d.getAddress(), torch)) != null) {
                    throw new AssertionError("two datasets named " + name);
                }
            }
        }
    }

    static String dtype(DataType t) {
        if (t instanceof FloatingPoint) {
            return "float" + t.getSize() * 8;
        }
        if (t instanceof EnumDataType) {
            return "bool";
        }
        if (t instanceof CompoundDataType) {
            return "complex" + t.getSize() * 8;
        }
        if (t instanceof FixedPoint fp) {
            return (fp.isSigned() ? "int" : "uint") + t.getSize() * 8;
        }
        return t.getClass().getSimpleName();
    }
}
