package org.pthconvert.errors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

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
