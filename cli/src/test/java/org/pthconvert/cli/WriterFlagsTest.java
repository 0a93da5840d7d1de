package org.pthconvert.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;

import org.junit.jupiter.api.Test;
import org.pthconvert.cli.args.Args;
import org.pthconvert.cli.args.Parser;
import org.pthconvert.cli.args.Spec;
import org.pthconvert.errors.InvalidRequestException;
import org.pthconvert.writers.TensorWriter;
import org.pthconvert.writers.Writers;

/** Writers' own flags and {@code -O key=value} pairs, read from convert's table and checked by type. */
class WriterFlagsTest {

    private static final Spec CONVERT = ConvertCommand.spec();

    private static Map<String, String> values(String format, String... options) {
        String[] argv = new String[options.length + 2];
        argv[0] = "in.pth";
        argv[1] = "out";
        System.arraycopy(options, 0, argv, 2, options.length);
        Args args = Parser.parse(CONVERT, argv, 0);
        TensorWriter w = Writers.standard().byName(format);
        return WriterFlags.values(args, Writers.standard(), w, args.list("-O"));
    }

    @Test
    void everyWriterFlagIsAnOptionOfConvert() {
        for (TensorWriter w : Writers.standard().all()) {
            for (var o : w.options()) {
                assertTrue(CONVERT.option(o.flag()) != null, o.flag());
            }
        }
    }

    @Test
    void flagsAndPairsBecomeTheWritersSettings() {
        assertEquals(Map.of("hdf5.flat", "true"), values("hdf5", "--flat"));
        assertEquals(Map.of("hdf5.flat", "false"), values("hdf5", "--flat", "-O", "hdf5.flat=no"));
        assertEquals(Map.of("hdf5.flat", "true"), values("hdf5", "-Ohdf5.flat"));
        Map<String, String> onnx = values("onnx", "--external-data-threshold", "2KB");
        assertEquals(1, onnx.size(), onnx.toString());
        assertEquals(Map.of(), values("safetensors"));
    }

    @Test
    void badValuesAndForeignFlagsAreRefusedBeforeAnyWork() {
        InvalidRequestException foreign = assertThrows(InvalidRequestException.class,
                () -> values("safetensors", "--flat"));
        assertEquals("--flat is not an option of the safetensors writer", foreign.getMessage());
        assertThrows(InvalidRequestException.class, () -> values("onnx", "--external-data-threshold", "lots"));
        assertThrows(InvalidRequestException.class, () -> values("onnx", "-O", "onnx.external-data-threshold=x"));
        assertThrows(InvalidRequestException.class, () -> values("hdf5", "-O", "hdf5.flat=perhaps"));
        InvalidRequestException unknown = assertThrows(InvalidRequestException.class,
                () -> values("npz", "-O", "npz.nope=1"));
        assertTrue(unknown.getMessage().startsWith("-O npz.nope: the npz writer takes"), unknown.getMessage());
        assertThrows(InvalidRequestException.class, () -> values("onnx", "-O", "onnx.into"));
    }
}
