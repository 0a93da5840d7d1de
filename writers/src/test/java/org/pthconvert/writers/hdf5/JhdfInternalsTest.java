package org.pthconvert.writers.hdf5;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.jhdf.HdfFile;
import io.jhdf.ObjectHeader;
import io.jhdf.api.Dataset;
import io.jhdf.dataset.DatasetBase;
import io.jhdf.object.datatype.CompoundDataType;
import io.jhdf.object.datatype.EnumDataType;
import io.jhdf.object.datatype.FixedPoint;
import io.jhdf.object.datatype.FloatingPoint;
import io.jhdf.object.datatype.VariableLength;
import io.jhdf.object.message.DataLayout;
import io.jhdf.object.message.ObjectReferenceCountMessage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pthconvert.dtype.Dtype;
import org.pthconvert.tensor.Shape;
import org.pthconvert.tensor.TensorSpec;
import org.pthconvert.writers.Fixtures;

/**
 * Guards every jhdf 0.13 internal the writer relies on ({@link ObjectHeaders}, {@link EncodedType},
 * {@link StringAttribute}, {@link RefCountMessage}, the chunk index writer): a file written through
 * them is read back by jhdf's reader, object by object. An upgrade that changes one fails here.
 */
class JhdfInternalsTest {

    @TempDir
    Path dir;

    private static ByteBuffer data(HdfFile f, String path) {
        return ((DatasetBase) f.getDatasetByPath(path)).getDataBuffer().order(ByteOrder.LITTLE_ENDIAN);
    }

    private static byte[] bytes(ByteBuffer b) {
        byte[] out = new byte[b.remaining()];
        b.duplicate().get(out);
        return out;
    }

    private Path write(boolean gzip, Map<TensorSpec, byte[]> tensors, Map<String, String> aliases) throws Exception {
        Path out = dir.resolve(gzip ? "gz.h5" : "plain.h5");
        Map<String, String> root = new LinkedHashMap<>();
        root.put("source", "in.pth");
        root.put("long", "v".repeat(100_000));   // a heap object bigger than a default collection
        LayoutFiles.write(out, tensors, aliases, root, gzip, false);
        return out;
    }

    private static Map<TensorSpec, byte[]> tensors() {
        Map<TensorSpec, byte[]> t = new LinkedHashMap<>();
        for (Dtype d : List.of(Dtype.F16, Dtype.F32, Dtype.F64, Dtype.I8, Dtype.I16, Dtype.I32, Dtype.I64,
                Dtype.U8, Dtype.U16, Dtype.U32, Dtype.U64, Dtype.C64, Dtype.C128)) {
            Shape s = Shape.of(3, 5);
            t.put(new TensorSpec("t." + d.torchName(), d, s), Fixtures.pattern(d, s, 1));
        }
        t.put(new TensorSpec("t.bool", Dtype.BOOL, Shape.of(4)), new byte[] {0, 1, 1, 0});
        t.put(new TensorSpec("scalar", Dtype.F32, Shape.SCALAR), Fixtures.pattern(Dtype.F32, Shape.SCALAR, 2));
        t.put(new TensorSpec("empty", Dtype.F32, Shape.of(0, 3)), new byte[0]);
        Shape big = Shape.of(600, 1000);   // several gzip chunks: the fixed array index
        t.put(new TensorSpec("big", Dtype.F32, big), Fixtures.pattern(Dtype.F32, big, 3));
        t.put(new TensorSpec("x".repeat(Hdf5Names.MAX_LINK_BYTES), Dtype.U8, Shape.of(2)), new byte[] {7, 8});
        return t;
    }

    @Test
    void superblockIsVersionTwoWithTheRootAt64() throws Exception {
        Path f = write(false, tensors(), Map.of());
        ByteBuffer sb = ByteBuffer.wrap(Files.readAllBytes(f)).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(0x89, sb.get(0) & 0xFF);
        assertEquals(2, sb.get(8));
        assertEquals(Files.size(f), sb.getLong(28));
        assertEquals(ObjectHeaders.ROOT_ADDRESS, sb.getLong(36));
    }

    @Test
    void jhdfReadsEveryDatatypeAndItsBytes() throws Exception {
        for (boolean gzip : new boolean[] {false, true}) {
            Map<TensorSpec, byte[]> t = tensors();
            try (HdfFile f = new HdfFile(write(gzip, t, Map.of()))) {
                for (Map.Entry<TensorSpec, byte[]> e : t.entrySet()) {
                    String path = String.join("/", e.getKey().name().split("\\."));
                    Dataset d = f.getDatasetByPath(path);
                    assertArrayEquals(e.getKey().shape().toArray(), d.getDimensionsAsLong(), path);
                    assertEquals(e.getKey().name(), d.getAttribute("name").getData(), path);
                    assertInstanceOf(VariableLength.class, d.getAttribute("name").getDataType());
                    assertEquals(e.getKey().dtype().torchName(), d.getAttribute("torch_dtype").getData());
                    if (e.getKey().numel() > 0) {
                        assertArrayEquals(e.getValue(), bytes(data(f, path)), path);
                    }
                    boolean chunked = gzip && e.getKey().numel() > 0 && e.getKey().shape().rank() > 0;
                    assertEquals(chunked ? DataLayout.CHUNKED : DataLayout.CONTIGUOUS, d.getDataLayout(), path);
                    if (chunked) {
                        assertEquals("deflate", d.getFilters().get(0).getName());
                    }
                }
                FloatingPoint half = (FloatingPoint) f.getDatasetByPath("t/float16").getDataType();
                assertEquals(2, half.getSize());
                assertEquals(10, half.getMantissaSize());
                assertEquals(15, half.getExponentBias());
                FixedPoint u32 = (FixedPoint) f.getDatasetByPath("t/uint32").getDataType();
                assertEquals(false, u32.isSigned());
                EnumDataType bool = (EnumDataType) f.getDatasetByPath("t/bool").getDataType();
                assertEquals(Map.of(0, "FALSE", 1, "TRUE"), bool.getEnumMapping());
                assertTrue(((FixedPoint) bool.getBaseType()).isSigned());
                CompoundDataType c = (CompoundDataType) f.getDatasetByPath("t/complex128").getDataType();
                assertEquals("r", c.getMembers().get(0).getName());
                assertEquals("i", c.getMembers().get(1).getName());
                assertEquals(8, c.getMembers().get(1).getOffset());
                assertTrue(f.getDatasetByPath("scalar").isScalar());
                assertEquals("v".repeat(100_000), f.getAttribute("long").getData());
                assertEquals("in.pth", f.getAttribute("source").getData());
            }
        }
    }

    @Test
    void hardLinksShareOneHeaderWithItsReferenceCount() throws Exception {
        Map<TensorSpec, byte[]> t = new LinkedHashMap<>();
        t.put(new TensorSpec("enc.weight", Dtype.F32, Shape.of(2)), Fixtures.pattern(Dtype.F32, Shape.of(2), 1));
        try (HdfFile f = new HdfFile(write(false, t, Map.of("dec.weight", "enc.weight")))) {
            long address = f.getDatasetByPath("enc/weight").getAddress();
            assertEquals(address, f.getDatasetByPath("dec/weight").getAddress());
            ObjectHeader header = ObjectHeader.readObjectHeader(f.getHdfBackingStorage(), address);
            assertEquals(2, header.getMessageOfType(ObjectReferenceCountMessage.class).getReferenceCount());
        }
    }

    @Test
    void twoWritesGiveTheSameBytes() throws Exception {
        for (boolean gzip : new boolean[] {false, true}) {
            byte[] first = Files.readAllBytes(write(gzip, tensors(), Map.of("alias", "big")));
            byte[] second = Files.readAllBytes(write(gzip, tensors(), Map.of("alias", "big")));
            assertArrayEquals(first, second);
        }
    }
}
