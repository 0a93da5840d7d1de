package org.pthconvert.inputs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pthconvert.errors.CheckpointException;

/** The reference loader's checks, one file each (safetensors/src/tensor.rs: read_metadata, validate). */
class SafetensorsFileTest {

    @TempDir
    Path dir;

    private Path file(String header, int dataBytes) throws Exception {
        return file(header.getBytes(StandardCharsets.UTF_8), dataBytes);
    }

    private Path file(byte[] header, int dataBytes) throws Exception {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(header.length).array());
        b.write(header);
        b.write(new byte[dataBytes]);
        Path p = Files.createTempFile(dir, "st", ".safetensors");
        Files.write(p, b.toByteArray());
        return p;
    }

    private String refused(Path p) throws Exception {
        try (FileChannel ch = FileChannel.open(p, StandardOpenOption.READ)) {
            return assertThrows(CheckpointException.class, () -> SafetensorsFile.read(ch, p)).getMessage();
        }
    }

    @Test
    void validFileWithEmptyAndScalarTensors() throws Exception {
        Path p = file("{\"__metadata__\":{\"format\":\"pt\"},\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"e\":{\"dtype\":\"BF16\",\"shape\":[0,3],\"data_offsets\":[8,8]},"
                + "\"s\":{\"dtype\":\"I64\",\"shape\":[],\"data_offsets\":[8,16]}}  ", 16);
        try (FileChannel ch = FileChannel.open(p, StandardOpenOption.READ)) {
            SafetensorsFile st = SafetensorsFile.read(ch, p);
            assertEquals(3, st.entries().size());
            assertEquals("pt", st.metadata().get("format"));
        }
    }

    @Test
    void everyViolationIsRefusedByName() throws Exception {
        String a = "\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}";
        assertTrue(refused(file("{" + a + "}", 12)).contains("trailing"));
        assertTrue(refused(file("{" + a + "}", 4)).contains("truncated"));
        assertTrue(refused(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}", 8))
                .contains("needs 12"));
        assertTrue(refused(file("{" + a + ",\"b\":{\"dtype\":\"U8\",\"shape\":[2],\"data_offsets\":[6,8]}}", 8))
                .contains("overlap"));
        assertTrue(refused(file("{" + a + ",\"b\":{\"dtype\":\"U8\",\"shape\":[2],\"data_offsets\":[10,12]}}", 12))
                .contains("belong to no tensor"));
        assertTrue(refused(file("{" + a + "," + a + "}", 8)).contains("twice"));
        assertTrue(refused(file("{\"a\":{\"dtype\":\"F33\",\"shape\":[2],\"data_offsets\":[0,8]}}", 8))
                .contains("unknown dtype"));
        assertTrue(refused(file("{\"a\":{\"dtype\":\"F4\",\"shape\":[2],\"data_offsets\":[0,1]}}", 1))
                .contains("not supported"));
        assertTrue(refused(file("{\"a\":{\"dtype\":\"U8\",\"shape\":[4294967296,4294967296],\"data_offsets\":[0,1]}}", 1))
                .contains("overflows"));
        assertTrue(refused(file("{\"__metadata__\":{\"n\":1}}", 0)).contains("not a string"));
        assertTrue(refused(file(" {}", 0)).contains("start with '{'"));
        assertTrue(refused(file(new byte[] {'{', (byte) 0xff, '}'}, 0)).contains("UTF-8"));
        Path huge = Files.createTempFile(dir, "huge", ".safetensors");
        Files.write(huge, ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(100_000_001L)
                .put((byte) '{').array());
        assertTrue(refused(huge).contains("limit"));
    }
}
