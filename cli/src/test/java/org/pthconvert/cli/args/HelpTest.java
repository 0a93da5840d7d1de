package org.pthconvert.cli.args;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

/** The help text: synopsis, wrapping at 80 columns, option rows. */
class HelpTest {

    @Test
    void synopsisGroupsFlagsValuesAndRepeatables() {
        String s = Help.synopsis(ParserTest.SPEC);
        assertEquals("[-fhqV] [-j=N] [--max-expand=X] [--out-dir=DIR] [--to=FORMAT] [--include=GLOB]... "
                + "[-O=KEY=VALUE]... IN OUT", s);
    }

    @Test
    void everyLineFitsAndDescriptionsWrapUnderTheirColumn() {
        String longHelp = "word ".repeat(60).strip();
        Spec spec = new Spec("tool run", List.of("A description " + longHelp,
                "  row           " + longHelp, "  a-long-first-cell-in-a-table-row " + longHelp),
                List.of(Opt.flag("--x", longHelp), Opt.value("--a-very-long-option-name", "LABEL", "Short."),
                        Opt.flag("--hidden", "Not shown.").asHidden()),
                List.of(Positional.one("IN", Opt.Type.PATH, "In.")), List.of(), List.of("", "Footer " + longHelp));
        String help = Help.render(spec);
        List<String> lines = help.lines().toList();
        for (String line : lines) {
            assertTrue(line.length() <= Help.WIDTH, "too long: '" + line + "'");
        }
        assertTrue(lines.get(0).startsWith("Usage: tool run [-hV] [--x] [--a-very-long-option-name=LABEL] IN"),
                help);
        assertTrue(!help.contains("--hidden"), help);
        // an option too long for the left column has its description on the next line
        int at = lines.indexOf("      --a-very-long-option-name=LABEL");
        assertTrue(at > 0 && lines.get(at + 1).strip().equals("Short."), help);
        // continuation lines of an option's description are indented two past its column
        int x = indexStarting(lines, "      --x");
        int column = lines.get(x).indexOf("word");
        assertEquals(column + 2, lines.get(x + 1).indexOf("word"), help);
        // a table row in the description wraps under its second column
        int row = indexStarting(lines, "  row");
        assertEquals(16, lines.get(row + 1).indexOf("word"), help);
        int wide = indexStarting(lines, "  a-long-first-cell");
        assertEquals(6, lines.get(wide + 1).indexOf("word"), help);
        assertTrue(help.endsWith("word\n"), help);
    }

    @Test
    void wrapsOnlyAtSpacesAndKeepsInnerSpacing() {
        StringBuilder sb = new StringBuilder();
        Help.wrap(sb, "a  b " + "x".repeat(90) + " c", 0, 4);
        assertEquals("a  b\n    " + "x".repeat(90) + "\n    c\n", sb.toString());
    }

    private static int indexStarting(List<String> lines, String prefix) {
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).startsWith(prefix)) {
                return i;
            }
        }
        throw new AssertionError(prefix + " not found in " + lines);
    }
}
