package org.pthconvert.cli.args;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.pthconvert.cli.args.UsageException.Reason;

/** The parser against a small table: every form of option, positional counts, and each usage error. */
class ParserTest {

    static final Spec SPEC = new Spec("tool run", List.of("Runs."), List.of(
            Opt.value("--to", "FORMAT", "Format."),
            Opt.list("--include", "GLOB", "Repeatable."),
            Opt.list("-O", "KEY=VALUE", "Writer setting."),
            Opt.flag("-f", "--force", "Force."),
            Opt.flag("-q", "--quiet", "Quiet."),
            Opt.value("--jobs", "N", "Jobs.").shortName("-j").typed(Opt.Type.INT),
            Opt.value("--max-expand", "X", "Limit.").typed(Opt.Type.DOUBLE).withDefault("16"),
            Opt.value("--out-dir", "DIR", "Where.").typed(Opt.Type.PATH)),
            List.of(Positional.one("IN", Opt.Type.PATH, "In."), Positional.one("OUT", Opt.Type.TEXT, "Out.")),
            List.of(), List.of());

    private static Args parse(String... argv) {
        return Parser.parse(SPEC, argv, 0);
    }

    private static UsageException refused(Reason reason, String... argv) {
        UsageException e = assertThrows(UsageException.class, () -> parse(argv));
        assertEquals(reason, e.reason(), e.getMessage());
        assertEquals("tool run", e.command());
        return e;
    }

    @Test
    void valuesComeSeparateOrAfterAnEqualsSign() {
        assertEquals("npz", parse("a", "b", "--to", "npz").string("--to"));
        assertEquals("npz", parse("--to=npz", "a", "b").string("--to"));
        assertEquals("x=y", parse("--to=x=y", "a", "b").string("--to"));
        assertEquals("", parse("--to=", "a", "b").string("--to"));
    }

    @Test
    void flagsAloneClusteredOrByEitherName() {
        Args a = parse("-fq", "a", "b");
        assertTrue(a.flag("--force") && a.flag("-q") && a.given("--quiet"));
        Args b = parse("a", "--force", "b");
        assertTrue(b.flag("-f"));
        assertFalse(b.flag("--quiet") || b.given("--quiet"));
        assertFalse(parse("a", "b", "--force=false").flag("--force"));
        assertEquals(Reason.BAD_VALUE, refused(Reason.BAD_VALUE, "a", "b", "--force=maybe").reason());
    }

    @Test
    void shortValuesAttachedSeparateOrAfterEquals() {
        assertEquals(4, parse("-j4", "a", "b").integer("--jobs"));
        assertEquals(4, parse("-j", "4", "a", "b").integer("--jobs"));
        assertEquals(4, parse("-j=4", "a", "b").integer("-j"));
        assertEquals(List.of("k=v", "x=1"), parse("-O", "k=v", "a", "-Ox=1", "b").list("-O"));
        assertTrue(parse("-fj2", "a", "b").flag("--force"));
    }

    @Test
    void repeatablesKeepEveryValueInOrderAndSinglesRefuseASecond() {
        Args a = parse("--include", "b*", "a", "--include=a*", "b", "--include", "c*");
        assertEquals(List.of("b*", "a*", "c*"), a.list("--include"));
        assertEquals(List.of(), parse("a", "b").list("-O"));
        refused(Reason.REPEATED_OPTION, "--to", "npz", "--to", "npz", "a", "b");
    }

    @Test
    void typedValuesAndDefaults() {
        Args a = parse("a", "b", "--out-dir", "out");
        assertEquals(16.0, a.number("--max-expand"));
        assertFalse(a.given("--max-expand"));
        assertEquals(Path.of("out"), a.path("--out-dir"));
        assertEquals(Path.of("a"), a.pathAt(0));
        assertEquals("b", a.positional(1));
        assertNull(a.integer("--jobs"));
        assertNull(a.string("--to"));
        assertEquals(0.5, parse("a", "b", "--max-expand", "0.5").number("--max-expand"));
        UsageException e = refused(Reason.BAD_VALUE, "a", "b", "--jobs", "many");
        assertEquals("Invalid value for option '--jobs': 'many' is not an integer", e.getMessage());
        refused(Reason.BAD_VALUE, "a", "b", "--max-expand=lots");
        refused(Reason.BAD_VALUE, "a\u0000", "b");
    }

    @Test
    void unknownOptionsAreNamed() {
        assertEquals("Unknown option: '--no-such-option'",
                refused(Reason.UNKNOWN_OPTION, "a", "b", "--no-such-option").getMessage());
        assertEquals("Unknown option: '--nope'", refused(Reason.UNKNOWN_OPTION, "--nope=1", "a", "b").getMessage());
        assertEquals("Unknown option: '-x'", refused(Reason.UNKNOWN_OPTION, "-x", "a", "b").getMessage());
        assertTrue(refused(Reason.UNKNOWN_OPTION, "-fx", "a", "b").getMessage().contains("'-x' in '-fx'"));
    }

    @Test
    void aMissingValueIsNotTakenFromTheNextOption() {
        assertEquals("Missing required parameter for option '--to' (FORMAT)",
                refused(Reason.MISSING_VALUE, "a", "b", "--to").getMessage());
        refused(Reason.MISSING_VALUE, "a", "b", "--to", "--force");
        refused(Reason.MISSING_VALUE, "a", "b", "-j");
        // a value that merely starts with a dash is a value
        assertEquals("-x", parse("a", "b", "--to", "-x").string("--to"));
    }

    @Test
    void positionalsAreCounted() {
        assertEquals("Missing required parameters: 'IN', 'OUT'", refused(Reason.MISSING_PARAMETER).getMessage());
        assertEquals("Missing required parameter: 'OUT'", refused(Reason.MISSING_PARAMETER, "a").getMessage());
        assertEquals("Unmatched argument at index 2: 'c'",
                refused(Reason.EXTRA_PARAMETER, "a", "b", "c").getMessage());
        Spec many = new Spec("tool scan", List.of(), List.of(), List.of(Positional.some("FILE", Opt.Type.TEXT,
                "Files.")), List.of(), List.of());
        assertEquals(3, Parser.parse(many, new String[] {"x", "y", "z"}, 0).positionals().size());
        assertThrows(UsageException.class, () -> Parser.parse(many, new String[] {}, 0));
    }

    @Test
    void doubleDashEndsOptionsAndAnAtSignIsAnOrdinaryArgument() {
        Args a = parse("--", "-f", "--to");
        assertEquals(List.of(Path.of("-f"), "--to"), a.positionals());
        assertFalse(a.flag("--force"));
        assertEquals(Path.of("@list.txt"), parse("@list.txt", "b").pathAt(0));
        assertEquals("-", parse("a", "-").positional(1));
    }

    @Test
    void helpAndVersionWinOverEverythingElse() {
        assertTrue(parse("--help").helpRequested());
        refused(Reason.UNKNOWN_OPTION, "--nope", "-h");
        assertTrue(parse("a", "-qh").helpRequested());
        assertTrue(parse("-V").versionRequested());
        assertTrue(parse("a", "--version", "--nope").versionRequested());
    }

    @Test
    void requiredOptionsAreListedTogether() {
        Spec s = new Spec("tool batch", List.of(), List.of(Opt.value("--to", "FORMAT", "F.").asRequired(),
                Opt.value("--out-dir", "DIR", "D.").asRequired()), List.of(), List.of(), List.of());
        UsageException e = assertThrows(UsageException.class, () -> Parser.parse(s, new String[] {}, 0));
        assertEquals("Missing required options: '--to=FORMAT', '--out-dir=DIR'", e.getMessage());
        assertEquals(Reason.MISSING_OPTION, e.reason());
    }

    @Test
    void aTableThatDeclaresANameTwiceIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> new Spec("t", List.of(), List.of(Opt.flag("--a", "A."),
                Opt.flag("--a", "B.")), List.of(), List.of(), List.of()));
        assertThrows(IllegalArgumentException.class, () -> new Spec("t", List.of(), List.of(Opt.flag("-h", "H.")),
                List.of(), List.of(), List.of()));
    }
}
