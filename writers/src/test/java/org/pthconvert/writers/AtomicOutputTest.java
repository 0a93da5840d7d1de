package org.pthconvert.writers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pthconvert.dtype.Dtype;
import org.pthconvert.tensor.Shape;
import org.pthconvert.tensor.TensorSpec;
import org.pthconvert.writers.AtomicOutput.Kind;
import org.pthconvert.writers.safetensors.SafetensorsWriter;

class AtomicOutputTest {

    @TempDir
    Path dir;

    private List<String> listing() throws Exception {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().collect(Collectors.toList());
        }
    }

    @Test
    void commitMovesTheFinishedFileIntoPlace() throws Exception {
        Path out = dir.resolve("model.safetensors");
        try (AtomicOutput o = AtomicOutput.create(out, Kind.FILE, false)) {
            assertEquals(dir.toRealPath(), o.temp().getParent().toRealPath());
            assertTrue(o.temp().getFileName().toString().startsWith(".model.safetensors."));
            assertFalse(Files.exists(out));
            Files.writeString(o.temp(), "data");
            o.commit(true);
        }
        assertEquals("data", Files.readString(out));
        assertEquals(List.of("model.safetensors"), listing());
    }

    @Test
    void aFailedConversionLeavesNothing() throws Exception {
        Path out = dir.resolve("x.safetensors");
        SafetensorsWriter w = new SafetensorsWriter();
        TensorSpec a = new TensorSpec("a", Dtype.F32, Shape.of(2));
        assertThrows(IllegalArgumentException.class, () -> {
            try (AtomicOutput o = AtomicOutput.create(out, Kind.FILE, false);
                 WriteSession s = w.open(OutputTarget.direct(o.temp()), WriteOptions.DEFAULTS)) {
                s.begin(WritePlan.of(List.of(a), Map.of()));
                s.write(a, new ArraySource(new byte[3]));   // wrong length: throws
                s.finish();
                o.commit(false);
            }
        });
        assertEquals(List.of(), listing());
    }

    @Test
    void refusesAnExistingOutputBeforeAnyWork() throws Exception {
        Path out = dir.resolve("taken.npz");
        Files.writeString(out, "old");
        FileAlreadyExistsException e = assertThrows(FileAlreadyExistsException.class,
                () -> AtomicOutput.create(out, Kind.FILE, false));
        assertTrue(e.getMessage().contains("--force"), e.getMessage());
        assertEquals(List.of("taken.npz"), listing());
        assertEquals("old", Files.readString(out));
    }

    @Test
    void refusesAnOutputThatAppearedDuringTheWork() throws Exception {
        Path out = dir.resolve("late.npz");
        try (AtomicOutput o = AtomicOutput.create(out, Kind.FILE, false)) {
            Files.writeString(o.temp(), "new");
            Files.writeString(out, "someone else's");
            assertThrows(FileAlreadyExistsException.class, () -> o.commit(false));
        }
        assertEquals("someone else's", Files.readString(out));
        assertEquals(List.of("late.npz"), listing());
    }

    @Test
    void forceReplacesAFile() throws Exception {
        Path out = dir.resolve("m.npz");
        Files.writeString(out, "old");
        try (AtomicOutput o = AtomicOutput.create(out, Kind.FILE, true)) {
            Files.writeString(o.temp(), "new");
            o.commit(false);
        }
        assertEquals("new", Files.readString(out));
        assertEquals(List.of("m.npz"), listing());
    }

    @Test
    void forceNeverReplacesADirectoryWithAFile() throws Exception {
        Path out = Files.createDirectory(dir.resolve("d.npz"));
        assertThrows(FileAlreadyExistsException.class, () -> AtomicOutput.create(out, Kind.FILE, true));
        assertTrue(Files.isDirectory(out));
    }

    @Test
    void directoriesAreCommittedAndReplacedWhole() throws Exception {
        Path out = dir.resolve("sharded");
        try (AtomicOutput o = AtomicOutput.create(out, Kind.DIRECTORY, false)) {
            assertTrue(Files.isDirectory(o.temp()));
            Files.writeString(o.temp().resolve("model-00001-of-00002.safetensors"), "1");
            Files.writeString(o.temp().resolve("model-00002-of-00002.safetensors"), "2");
            o.commit(true);
        }
        try (AtomicOutput o = AtomicOutput.create(out, Kind.DIRECTORY, true)) {
            Files.writeString(o.temp().resolve("model.safetensors"), "one");
            o.commit(false);
        }
        try (Stream<Path> s = Files.list(out)) {
            assertEquals(List.of("model.safetensors"), s.map(p -> p.getFileName().toString()).collect(Collectors.toList()));
        }
        assertEquals(List.of("sharded"), listing());
    }

    @Test
    void anAbandonedDirectoryIsDeletedRecursively() throws Exception {
        Path out = dir.resolve("gone");
        try (AtomicOutput o = AtomicOutput.create(out, Kind.DIRECTORY, false)) {
            Files.writeString(o.temp().resolve("a"), "x");
            Files.createDirectories(o.temp().resolve("sub/deeper"));
        }
        assertEquals(List.of(), listing());
    }

    @Test
    void forceWillNotReplaceADirectoryHoldingDirectories() throws Exception {
        Path out = Files.createDirectories(dir.resolve("home/Documents"));
        assertThrows(DirectoryNotEmptyException.class, () -> AtomicOutput.create(out.getParent(), Kind.DIRECTORY, true));
    }

    @Test
    void aMissingFolderIsAClearError() {
        NoSuchFileException e = assertThrows(NoSuchFileException.class,
                () -> AtomicOutput.create(dir.resolve("nope/out.npz"), Kind.FILE, false));
        assertTrue(e.getMessage().contains("output folder does not exist"), e.getMessage());
    }

    @Test
    void commitTwiceIsMisuse() throws Exception {
        try (AtomicOutput o = AtomicOutput.create(dir.resolve("t"), Kind.FILE, false)) {
            o.commit(false);
            assertThrows(IllegalStateException.class, () -> o.commit(false));
        }
        assertEquals(List.of("t"), listing());
    }
}
