package org.pthconvert.archive;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.pthconvert.dtype.Dtype;
import org.pthconvert.errors.CheckpointException.Reason;
import org.pthconvert.errors.CheckpointException;
import org.pthconvert.io.StorageBytes;
import org.pthconvert.pickle.reader.DataOnlyHooks;
import org.pthconvert.pickle.PickleLimits;
import org.pthconvert.pickle.PickleValue.PGlobal;
import org.pthconvert.pickle.PickleValue.PObject;
import org.pthconvert.pickle.PickleValue.PStr;
import org.pthconvert.pickle.PickleValue.PTuple;
import org.pthconvert.pickle.PickleValue;
import org.pthconvert.pickle.reader.Unpickler;

/**
 * Containers over files made by real torch (testdata/generate.py). Each test is skipped while its
 * fixture has not been generated.
 */
class FixtureContainersTest {
    static final Path TESTDATA = Path.of(System.getProperty("basedir", ".")).resolve("../testdata").normalize();

    static Path fixture(String name) {
        Path p = TESTDATA.resolve("fixtures").resolve(name);
        assertTrue(Files.isRegularFile(p), "committed fixture " + p + " is missing (testdata/generate.py makes it)");
        return p;
    }

    static Path hostile(String name) {
        Path p = TESTDATA.resolve("hostile").resolve(name);
        assertTrue(Files.isRegularFile(p), "committed hostile file " + p + " is missing (testdata/generate.py makes it)");
        return p;
    }

    /** Storage key -> element width, from the persistent ids of a pickle (nothing else interpreted). */
    static Map<String, Integer> widths(CheckpointContainer c) throws Exception {
        Map<String, Integer> out = new HashMap<>();
        DataOnlyHooks hooks = new DataOnlyHooks() {
            @Override
            public PickleValue persistentLoad(PickleValue pid, long offset) {
                if (pid instanceof PTuple t && t.size() >= 5 && t.get(1) instanceof PGlobal cls
                        && t.get(2) instanceof PStr key) {
                    int w = cls.name().equals("UntypedStorage") ? 1
                            : Dtype.fromStorageClass(cls.name()).map(Dtype::byteWidth).orElse(1);
                    out.put(key.value(), w);
                }
                return new PickleValue.PSymbol(new PGlobal("torch", "storage"), PTuple.EMPTY);
            }

            @Override
            public PickleValue call(PickleValue callable, PTuple args, long offset) {
                try {
                    return super.call(callable, args, offset);
                } catch (CheckpointException e) {
                    return new PObject(callable instanceof PGlobal g ? g : new PGlobal("?", "?"), args);
                }
            }
        };
        try (InputStream in = c.openPickle()) {
            new Unpickler(hooks, PickleLimits.DEFAULTS, c.pickleRecordName(), c.pickleOffset()).load(in);
        }
        return out;
    }

    static byte[] readAll(StorageBytes s) throws Exception {
        ByteBuffer b = ByteBuffer.allocate((int) s.size());
        s.read(0, b);
        return b.array();
    }

    @Test
    void stateDictIsStoredAndAligned() throws Exception {
        try (CheckpointContainer c = Containers.open(fixture("state_dict.pth"))) {
            ZipContainer z = (ZipContainer) c;
            assertEquals(CheckpointContainer.Format.ZIP, z.format());
            assertEquals("state_dict", z.topFolder());
            assertEquals(ByteOrder.LITTLE_ENDIAN, z.byteOrder());
            assertEquals("data.pkl", z.recordNames().get(0));
            assertTrue(z.recordNames().contains("byteorder"));
            Map<String, Integer> widths = widths(z);
            assertFalse(widths.isEmpty());
            for (String key : widths.keySet()) {
                ZipRecord r = z.record("data/" + key).orElseThrow();
                assertTrue(r.stored(), r.toString());
                assertEquals(0, r.misalignment(64), r.toString());
                try (StorageBytes s = z.storage(key, widths)) {
                    assertTrue(s.inPlace());
                    assertEquals(0, s.size() % widths.get(key));
                }
            }
        }
    }

    @Test
    void rezippedDeflatedHasTheSameBytes() throws Exception {
        Path original = fixture("state_dict.pth");
        try (ZipContainer a = (ZipContainer) Containers.open(original);
             ZipContainer b = (ZipContainer) Containers.open(fixture("rezipped_deflated.pth"))) {
            assertEquals("state_dict", b.topFolder());
            assertEquals(a.recordNames().size(), b.recordNames().size());
            Map<String, Integer> widths = widths(b);
            assertEquals(widths(a), widths);
            for (String key : widths.keySet()) {
                assertFalse(b.record("data/" + key).orElseThrow().stored());
                try (StorageBytes x = a.storage(key, widths); StorageBytes y = b.storage(key, widths)) {
                    assertFalse(y.inPlace());
                    assertArrayEquals(readAll(x), readAll(y), key);
                }
            }
        }
    }

    @Test
    void bigEndianByteOrder() throws Exception {
        try (CheckpointContainer c = Containers.open(fixture("bigendian.pth"))) {
            assertEquals(ByteOrder.BIG_ENDIAN, c.byteOrder());
            assertEquals(CheckpointContainer.Format.ZIP, c.format());
        }
    }

    @Test
    void torchScriptArchive() throws Exception {
        try (CheckpointContainer c = Containers.open(fixture("torchscript.pt"))) {
            assertEquals(CheckpointContainer.Format.TORCHSCRIPT, c.format());
            assertTrue(c.recordNames().contains("constants.pkl"));
            String code = c.recordNames().stream().filter(n -> n.startsWith("code/__torch__") && n.endsWith(".py"))
                    .findFirst().orElseThrow();
            try (InputStream in = c.openRecord(code)) {
                assertTrue(in.readAllBytes().length > 0);
            }
        }
    }

    @Test
    void legacyFile() throws Exception {
        Path p = fixture("legacy.pth");
        try (CheckpointContainer c = Containers.open(p)) {
            LegacyContainer l = (LegacyContainer) c;
            assertEquals(CheckpointContainer.Format.LEGACY, l.format());
            assertEquals(ByteOrder.LITTLE_ENDIAN, l.byteOrder());
            assertFalse(l.storageKeys().isEmpty());
            Map<String, Integer> widths = widths(l);
            assertEquals(new java.util.HashSet<>(l.storageKeys()), widths.keySet());
            long end = 0;
            for (String key : l.storageKeys()) {
                try (StorageBytes s = l.storage(key, widths)) {
                    assertEquals(0, s.size() % widths.get(key));
                    end = Math.max(end, ((org.pthconvert.io.InPlaceStorage) s).dataOffset() + s.size());
                }
            }
            assertEquals(Files.size(p), end);
            assertEquals(java.util.List.of(), l.warnings());
        }
    }

    @Test
    void hostileContainersFailWithOneMessage() throws Exception {
        expect("truncated_half.pth", Reason.INVALID, "truncated");
        expect("corrupt_central_dir.pth", Reason.INVALID, "zip");
        expect("html_page.pth", Reason.INVALID, "html");
        expect("lfs_pointer.pth", Reason.INVALID, "lfs");
        expect("empty.pth", Reason.INVALID, "empty");
    }

    private static void expect(String name, Reason reason, String keyword) {
        Path p = hostile(name);
        CheckpointException e = Refusals.of(p);
        assertEquals(reason, e.reason(), e.getMessage());
        assertTrue(e.getMessage().toLowerCase(Locale.ROOT).contains(keyword), e.getMessage());
    }

    @Test
    void zipBombStopsAtItsDeclaredSize() throws Exception {
        try (CheckpointContainer c = Containers.open(hostile("zip_bomb.pth"))) {
            CheckpointException e = assertThrows(CheckpointException.class, () -> c.storage("0", Map.of("0", 4)));
            assertEquals(Reason.INVALID, e.reason());
            assertTrue(e.getMessage().contains("size"), e.getMessage());
        }
    }

    @Test
    void hostileLegacyPickleIsSkimmedWithoutRunningIt() throws Exception {
        try (CheckpointContainer c = Containers.open(hostile("legacy_posix_system.pt"))) {
            LegacyContainer l = (LegacyContainer) c;
            assertEquals(1, l.storageKeys().size());
            try (StorageBytes s = l.storage(l.storageKeys().get(0), widths(l))) {
                assertEquals(12, s.size());
            }
        }
    }
}
