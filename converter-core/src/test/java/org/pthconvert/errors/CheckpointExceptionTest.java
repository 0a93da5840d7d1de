package org.pthconvert.errors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.pthconvert.errors.CheckpointException.Reason;

class CheckpointExceptionTest {

    @Test
    void saysWhatAndWhereInOneLine() {
        CheckpointException e = CheckpointException.invalid("view ends past its storage")
                .inFile(Path.of("model.pth")).at("archive/data.pkl", 0x1a3).forTensor("fc.weight");
        assertEquals("model.pth: archive/data.pkl @0x1a3: tensor 'fc.weight': view ends past its storage",
                e.getMessage());
        assertEquals(Reason.INVALID, e.reason());
        // Parts already known are kept: an outer layer cannot overwrite what an inner one said.
        assertSame(e, e.inFile(Path.of("other.pth")).forTensor("other"));
    }

    @Test
    void aVeryLongNameIsShortenedInTheMessageOnly() {
        String name = "a.".repeat(100_000) + "w";
        CheckpointException e = CheckpointException.invalid("the name is too long").forTensor(name);
        assertEquals("tensor '" + name.substring(0, CheckpointException.SHOWN_NAME - 40) + "...(200001 characters)': "
                + "the name is too long", e.getMessage());
        String record = "archive/data/" + "9".repeat(70_000);
        assertTrue(CheckpointException.invalid("x").at(record, 3).getMessage().startsWith("archive/data/999"));
        assertTrue(CheckpointException.invalid("x").at(record, 3).getMessage().endsWith("...(70013 characters) @0x3: x"));
        assertEquals(name, e.tensor());
        String fits = "b".repeat(CheckpointException.SHOWN_NAME);
        assertEquals("tensor '" + fits + "': x", CheckpointException.invalid("x").forTensor(fits).getMessage());
        // Never half of a surrogate pair at the cut, wherever the pairs fall.
        for (String start : new String[] {"", "x"}) {
            String name2 = start + "\uD83D\uDE00".repeat(CheckpointException.SHOWN_NAME);
            String shown = CheckpointException.invalid("x").forTensor(name2).getMessage();
            assertFalse(shown.codePoints().anyMatch(c -> c >= 0xD800 && c <= 0xDFFF), shown);
        }
    }

    /** The one shortening every message uses, at the lengths its callers keep (30 for pickle text, 60 for HDF5 keys). */
    @Test
    void textIsShortenedKeepingItsStartAndLength() {
        assertEquals("x".repeat(70), CheckpointException.shown("x".repeat(70), 30));
        assertEquals("x".repeat(30) + "...(71 characters)", CheckpointException.shown("x".repeat(71), 30));
        assertEquals("", CheckpointException.shown("", 0));
        String pairs = "\uD83D\uDE00".repeat(100);   // 200 chars: a cut at 61 would split the 31st pair
        String shown = CheckpointException.shown("a" + pairs, 60);
        assertEquals("a" + "\uD83D\uDE00".repeat(29) + "...(201 characters)", shown);
    }

    /** Spark sends exceptions between processes: every part, and so the message, must survive. */
    @Test
    void survivesJavaSerializationWhole() throws Exception {
        CheckpointException e = CheckpointException.limit("too deep").inFile("hdfs://nn/zoo/a.pth")
                .at("a/data.pkl", 17).forTensor("w").causedBy(new IllegalStateException("inner"));
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(e);
        }
        CheckpointException back;
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            back = (CheckpointException) in.readObject();
        }
        assertEquals(e.getMessage(), back.getMessage());
        assertEquals(Reason.LIMIT, back.reason());
        assertEquals("hdfs://nn/zoo/a.pth", back.fileName());
        assertEquals(17, back.offset());
        assertEquals("w", back.tensor());
        assertEquals("inner", back.getCause().getMessage());
    }
}
