package org.pthconvert.inputs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pthconvert.archive.CheckpointContainer.Format;
import org.pthconvert.errors.CheckpointException;
import org.pthconvert.model.Checkpoint;
import org.pthconvert.testdata.Fixtures;

/**
 * A folder without an index whose weights are one {@code model.safetensors} or {@code pytorch_model.bin}:
 * the name picks the file, its content must be what the name says; with both, model.safetensors is
 * read (as transformers does) and the other is named in a warning.
 */
class SingleFileFolderTest {

    @TempDir
    Path dir;

    @Test
    void bothFilesReadTheSafetensorsOneAndSaySo() throws Exception {
        try (Checkpoint ckpt = Checkpoint.open(Fixtures.input("hf_single_both"))) {
            assertEquals(Format.FOLDER_SAFETENSORS, ckpt.format());
            assertEquals("model.safetensors", ckpt.file().getFileName().toString());
            assertEquals(1, ckpt.warnings().size());
            assertTrue(ckpt.warnings().get(0).contains("pytorch_model.bin"), ckpt.warnings().toString());
        }
        try (Checkpoint ckpt = Checkpoint.open(Fixtures.input("hf_single_safetensors"))) {
            assertEquals(List.of(), ckpt.warnings());
        }
    }

    @Test
    void theNameSelectsButTheContentMustValidate() throws Exception {
        Path st = Files.createDirectory(dir.resolve("st"));
        Files.writeString(st.resolve("model.safetensors"), "PK\u0003\u0004 not safetensors at all");
        String m = assertThrows(CheckpointException.class, () -> Checkpoint.open(st)).getMessage();
        assertTrue(m.contains("model.safetensors") && m.contains("safetensors header"), m);

        Path bin = Files.createDirectory(dir.resolve("bin"));
        Files.writeString(bin.resolve("pytorch_model.bin"), "just some text, no checkpoint");
        m = assertThrows(CheckpointException.class, () -> Checkpoint.open(bin)).getMessage();
        assertTrue(m.contains("pytorch_model.bin"), m);

        Path other = Files.createDirectory(dir.resolve("other"));
        Files.copy(Fixtures.input("plain.safetensors"), other.resolve("weights.safetensors"));
        m = assertThrows(CheckpointException.class, () -> Checkpoint.open(other)).getMessage();
        assertTrue(m.contains("model.safetensors") && m.contains("pytorch_model.bin"), m);
    }

    @Test
    void aSafetensorsFileNamedLikeABinIsReadAsWhatItIs() throws Exception {
        Path f = Files.createDirectory(dir.resolve("f"));
        Files.copy(Fixtures.input("plain.safetensors"), f.resolve("pytorch_model.bin"));
        try (Checkpoint ckpt = Checkpoint.open(f)) {
            assertEquals(Format.SAFETENSORS, ckpt.format());
            assertEquals(11, ckpt.tensors().size());
        }
    }
}
