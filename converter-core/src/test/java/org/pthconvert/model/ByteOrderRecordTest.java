package org.pthconvert.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Enumeration;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pthconvert.archive.CheckpointContainer;
import org.pthconvert.archive.Containers;
import org.pthconvert.errors.CheckpointException;
import org.pthconvert.testdata.Fixtures;

/**
 * The {@code byteorder} record as torch 2.13 reads it: {@code torch.load} accepts exactly
 * {@code little} or {@code big} ("Unknown endianness type" for anything else, {@code little\n}
 * included), and a TorchScript archive goes to {@code torch.jit.load}, which never reads the record
 * (the fixture {@code torchscript_bigendian.pt} loads the same tensors as {@code torchscript.pt}).
 */
class ByteOrderRecordTest {
    @TempDir
    Path dir;

    @Test
    void aCheckpointTakesExactlyLittleOrBig() throws Exception {
        try (CheckpointContainer c = Containers.open(withByteOrder("state_dict.pth", "big"))) {
            assertEquals(ByteOrder.BIG_ENDIAN, c.byteOrder());
            assertEquals(List.of(), c.warnings());
        }
        for (String text : new String[] {"little\n", " big", "LITTLE", "", "mid\u001bdle"}) {
            CheckpointException e = assertThrows(CheckpointException.class,
                    () -> Containers.open(withByteOrder("state_dict.pth", text)).close(), text);
            assertTrue(e.getMessage().contains("expected exactly 'little' or 'big'")
                    && e.getMessage().indexOf('\n') < 0 && e.getMessage().indexOf('\u001b') < 0, e.getMessage());
        }
    }

    @Test
    void aTorchScriptArchiveIsReadAsStoredWhateverTheRecordSays() throws Exception {
        try (CheckpointContainer c = Containers.open(Fixtures.file("torchscript_bigendian.pt"))) {
            assertEquals(CheckpointContainer.Format.TORCHSCRIPT, c.format());
            assertEquals(ByteOrder.LITTLE_ENDIAN, c.byteOrder());
            assertEquals(1, c.warnings().size());
            assertTrue(c.warnings().get(0).startsWith("byteorder says 'big', which torch.jit.load ignores"),
                    c.warnings().toString());
        }
        try (CheckpointContainer c = Containers.open(withByteOrder("torchscript.pt", "mid\u001bdle"))) {
            assertEquals(ByteOrder.LITTLE_ENDIAN, c.byteOrder());
            assertTrue(c.warnings().get(0).startsWith("byteorder says 'mid\\x1bdle'"), c.warnings().toString());
        }
        try (CheckpointContainer c = Containers.open(Fixtures.file("torchscript.pt"))) {
            assertEquals(List.of(), c.warnings());
        }
    }

    /** A copy of a fixture, every record STORED, with the byteorder record's text replaced. */
    private Path withByteOrder(String fixture, String text) throws IOException {
        Path out = dir.resolve(text.hashCode() + "-" + fixture);
        try (ZipFile in = new ZipFile(Fixtures.file(fixture).toFile());
             OutputStream os = Files.newOutputStream(out);
             ZipOutputStream z = new ZipOutputStream(os)) {
            for (Enumeration<? extends ZipEntry> en = in.entries(); en.hasMoreElements(); ) {
                ZipEntry e = en.nextElement();
                byte[] data = e.getName().endsWith("/byteorder") ? text.getBytes(StandardCharsets.ISO_8859_1)
                        : in.getInputStream(e).readAllBytes();
                TorchPickle.put(z, e.getName(), data, false);
            }
        }
        return out;
    }
}
