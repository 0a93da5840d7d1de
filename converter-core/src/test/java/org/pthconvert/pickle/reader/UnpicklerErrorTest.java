package org.pthconvert.pickle.reader;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.InputStream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.pthconvert.errors.CheckpointException.Reason;
import org.pthconvert.errors.CheckpointException;
import org.pthconvert.pickle.PickleValue;
import org.pthconvert.pickle.PickleLimits;
import org.pthconvert.pickle.PickleRepr;

/** Corrupt and hostile pickles: each fails with our exception, the right reason, record and offset. */
class UnpicklerErrorTest {

    private static void assertError(CheckpointException e, Reason reason, long offset, String text) {
        assertEquals(reason, e.reason(), e.getMessage());
        assertEquals(Pk.RECORD, e.record());
        assertEquals(offset, e.offset(), e.getMessage());
        assertTrue(e.getMessage().contains(text), () -> "'" + e.getMessage() + "' lacks '" + text + "'");
    }

    @Test
    void missingMemoIndexNamesRecordOffsetAndOpcode() {
        CheckpointException e = Pk.fail(Pk.of("\u0080\u0002K\u0001h\u0007."));
        assertError(e, Reason.INVALID, 4, "memo index 7 was never stored");
        assertEquals("archive/data.pkl @0x4: BINGET: memo index 7 was never stored", e.getMessage());
        assertError(Pk.fail(Pk.of("g12\n.")), Reason.INVALID, 0, "GET: memo index 12 was never stored");
        assertError(Pk.fail(Pk.of("K\u0001r", Pk.u32(5), "j", Pk.u32(6), ".")), Reason.INVALID, 7,
                "LONG_BINGET: memo index 6");
    }

    @Test
    void hugeMemoIndexIsALimitNotAnAllocation() {
        assertError(Pk.fail(Pk.of("K\u0001r", Pk.u32(1L << 31), ".")), Reason.LIMIT, 2,
                "LONG_BINPUT: memo index 2147483648 exceeds the limit");
        assertError(Pk.fail(Pk.of("K\u0001p99999999999\n.")), Reason.LIMIT, 2, "PUT: memo index");
        assertError(Pk.fail(Pk.of("K\u0001p-1\n.")), Reason.INVALID, 2, "negative memo index");
    }

    @Test
    void hugeMemoIndexWithinLimitsIsStoredSparsely() throws CheckpointException {
        PickleLimits roomy = PickleLimits.DEFAULTS.withMaxMemoEntries(1L << 40);
        PickleValue v = Pk.load(Pk.of("K\u0007r", Pk.u32(0xffff_ffffL), "j", Pk.u32(0xffff_ffffL), "\u0086."),
                new DataOnlyHooks(), roomy);
        assertEquals("(7, 7)", PickleRepr.repr(v));
        v = Pk.load(Pk.of("K\u0007p1099511627775\ng1099511627775\n\u0086."), new DataOnlyHooks(), roomy);
        assertEquals("(7, 7)", PickleRepr.repr(v));
    }

    @Test
    void declaredLengthsAreNeverTrusted() {
        // 2**40 bytes declared in a 20-byte stream: refused before any allocation.
        assertError(Pk.fail(Pk.of("\u0080\u0004\u008e", Pk.u64(1L << 40), "abc.")), Reason.LIMIT, 2,
                "BINBYTES8");
        // Within the per-value limit but far beyond the stream: read in chunks, fails as truncated.
        CheckpointException e = Pk.fail(Pk.of("\u008e", Pk.u64(900L << 20), "abc."));
        assertError(e, Reason.INVALID, 0, "truncated");
        assertTrue(e.getMessage().contains("only 4 follow"), e.getMessage());
        assertError(Pk.fail(Pk.of("X", Pk.u32(0xffff_fff0L), "hi.")), Reason.LIMIT, 0, "BINUNICODE");
        assertError(Pk.fail(Pk.of("B", Pk.u32(1000), "hi.")), Reason.INVALID, 0, "truncated");
        assertError(Pk.fail(Pk.of("\u0096", Pk.u64(-1L), ".")), Reason.LIMIT, 0, "18446744073709551615");
        assertError(Pk.fail(Pk.of("\u008b", Pk.u32(-5), ".")), Reason.INVALID, 0, "negative byte count");
        assertError(Pk.fail(Pk.of("T", Pk.u32(-1), ".")), Reason.INVALID, 0, "negative byte count");
    }

    @Test
    void unknownOpcodeNamesTheByte() {
        assertError(Pk.fail(Pk.of("\u0080\u0002K\u0001\u00ff.")), Reason.INVALID, 4, "unknown opcode 0xff");
        assertError(Pk.fail(Pk.of("<html>")), Reason.INVALID, 0, "unknown opcode 0x3c ('<'): not a pickle");
    }

    @Test
    void truncatedAndEmptyPickles() {
        assertError(Pk.fail(new byte[0]), Reason.INVALID, 0, "truncated: empty pickle");
        assertError(Pk.fail(Pk.of("\u0080\u0002K\u0001")), Reason.INVALID, 4, "without STOP");
        assertError(Pk.fail(Pk.of("\u0080\u0002J\u0001")), Reason.INVALID, 2, "BININT: truncated");
        assertError(Pk.fail(Pk.of("I12")), Reason.INVALID, 0, "INT: truncated");
        assertError(Pk.fail(Pk.of("ccollections\nOrderedDict")), Reason.INVALID, 0, "GLOBAL: truncated");
    }

    @Test
    void mutatingOpcodesOnlyTouchTheirOwnTypes() {
        assertError(Pk.fail(Pk.of("](K\u0001K\u0002u.")), Reason.INVALID, 6, "SETITEMS on a list");
        assertError(Pk.fail(Pk.of(")(K\u0001K\u0002u.")), Reason.INVALID, 6, "SETITEMS on a tuple");
        assertError(Pk.fail(Pk.of("](u.")), Reason.INVALID, 2, "SETITEMS on a list");
        assertError(Pk.fail(Pk.of("\u0085K\u0001K\u0002s.")), Reason.INVALID, 0, "stack underflow");
        assertError(Pk.fail(Pk.of("K\u0005K\u0001K\u0002\u0087K\u0001K\u0002s.")), Reason.INVALID, 11,
                "SETITEM on a tuple");
        assertError(Pk.fail(Pk.of("X\u0001\u0000\u0000\u0000aK\u0001K\u0002s.")), Reason.INVALID, 10,
                "SETITEM on a str");
        assertError(Pk.fail(Pk.of("}K\u0001a.")), Reason.INVALID, 3, "APPEND on a dict");
        assertError(Pk.fail(Pk.of(")(K\u0001e.")), Reason.INVALID, 4, "APPENDS on a tuple");
        assertError(Pk.fail(Pk.of("(\u0091(K\u0001\u0090.")), Reason.INVALID, 5, "ADDITEMS on a frozenset");
        assertError(Pk.fail(Pk.of("](K\u0001\u0090.")), Reason.INVALID, 4, "ADDITEMS on a list");
        assertError(Pk.fail(Pk.of("(K\u0001K\u0002K\u0003d.")), Reason.INVALID, 7, "odd number of items (3) for DICT");
        assertError(Pk.fail(Pk.of("}(K\u0001u.")), Reason.INVALID, 4, "odd number of items (1) for SETITEMS");
    }

    @Test
    void unhashableKeysAreRefused() {
        assertError(Pk.fail(Pk.of("}]K\u0001s.")), Reason.INVALID, 4, "unhashable type: 'list'");
        assertError(Pk.fail(Pk.of("(}\u0085K\u0001d.")), Reason.INVALID, 5, "unhashable type: 'dict'");
        assertError(Pk.fail(Pk.of("(\u008f\u0091.")), Reason.INVALID, 2, "unhashable type: 'set'");
    }

    @Test
    void tupleDagKeyCannotExplodeHashing() {
        // t(n+1) = (t(n), t(n)) for 40 levels: 41 memo entries, 2**40 nodes if walked naively.
        StringBuilder sb = new StringBuilder("})");
        for (int i = 0; i < 40; i++) {
            sb.append("q\u0000h\u0000\u0086");
        }
        sb.append("K\u0001s.");
        assertError(Pk.fail(Pk.of(sb.toString())), Reason.LIMIT, 2 + 40 * 5 + 2, "costs more than");
    }

    @Test
    void keyHashingHasAPerPickleBudget() {
        StringBuilder sb = new StringBuilder("}");
        for (int i = 0; i < 200; i++) {
            sb.append("K").append((char) i).append("N").append("s");
        }
        sb.append('.');
        assertError(Pk.fail(Pk.of(sb.toString()), PickleLimits.DEFAULTS.withMaxKeyHashWork(100)), Reason.LIMIT,
                1 + 100 * 4 + 3, "cost more than 100 units");
    }

    @Test
    void stackUnderflowAndMarks() {
        assertError(Pk.fail(Pk.of("0.")), Reason.INVALID, 0, "POP: stack underflow");
        assertError(Pk.fail(Pk.of(".")), Reason.INVALID, 0, "STOP: stack underflow");
        assertError(Pk.fail(Pk.of("K\u0001(\u0085.")), Reason.INVALID, 3, "below a MARK");
        assertError(Pk.fail(Pk.of("K\u0001(K\u0002\u0087.")), Reason.INVALID, 5, "TUPLE3: stack underflow");
        assertError(Pk.fail(Pk.of("K\u0001t.")), Reason.INVALID, 2, "no MARK");
        assertError(Pk.fail(Pk.of("K\u00011.")), Reason.INVALID, 2, "POP_MARK: no MARK");
        assertError(Pk.fail(Pk.of("(2.")), Reason.INVALID, 1, "DUP: stack underflow");
        assertError(Pk.fail(Pk.of("(q\u0000.")), Reason.INVALID, 1, "BINPUT: stack underflow");
        assertError(Pk.fail(Pk.of("((K\u0001e.")), Reason.INVALID, 4, "no container below the MARK");
    }

    @Test
    void stackAndMarkLimits() {
        assertError(Pk.fail(Pk.of("NNNN."), PickleLimits.DEFAULTS.withMaxStackItems(3)), Reason.LIMIT, 3,
                "more than 3 values");
        assertError(Pk.fail(Pk.of("(((t."), PickleLimits.DEFAULTS.withMaxMarkDepth(2)), Reason.LIMIT, 2,
                "more than 2 MARKs");
        assertError(Pk.fail(Pk.of("NNNNNNNNNN."), PickleLimits.DEFAULTS.withMaxPickleBytes(5)), Reason.LIMIT, 5,
                "longer than the limit of 5 bytes");
        assertError(Pk.fail(Pk.of("V" + "a".repeat(100) + "\n."), PickleLimits.DEFAULTS.withMaxStringBytes(50)),
                Reason.LIMIT, 0, "@0x0: UNICODE text is longer than 50 bytes");
        assertError(Pk.fail(Pk.of("\u008b", Pk.u32(100_000), new byte[100_000], ".")), Reason.LIMIT, 0,
                "LONG4 of 100000 bytes exceeds the limit of 65536");
        assertError(Pk.fail(Pk.of("L" + "9".repeat(200_000) + "\n.")), Reason.LIMIT, 0, "digits exceeds");
    }

    /** CPython's sys.int_max_str_digits: decimal text costs quadratic time, so it is held to 4300 digits. */
    @Test
    void decimalTextIntsStopAtCPythonsLimit() throws CheckpointException {
        PickleValue.PInt max = (PickleValue.PInt) Pk.load(Pk.of("I" + "9".repeat(4300) + "\n."));
        assertEquals(4300, max.value().toString().length());
        assertEquals("<int of 14285 bits>", max.toString());
        assertError(Pk.fail(Pk.of("I" + "9".repeat(4301) + "\n.")), Reason.LIMIT, 0,
                "integer of 4301 digits exceeds the limit of 4300");
        assertError(Pk.fail(Pk.of("L-" + "9".repeat(4301) + "L\n.")), Reason.LIMIT, 0, "digits exceeds");
        // Hexadecimal text and binary LONG4 convert in linear time: their limit is in bytes.
        PickleValue.PInt big = (PickleValue.PInt) Pk.load(Pk.of("\u008b", Pk.u32(60_000), new byte[59_999], 1, "."));
        assertEquals(479_993, big.value().bitLength());
        assertEquals("<int of 479993 bits>", big.toString());
    }

    /** Text forms of any length allowed are read in linear time (each once took seconds to minutes). */
    @Test
    void longTextNumbersCostLinearTime() throws CheckpointException {
        java.util.Random r = new java.util.Random(7);
        for (int radix : new int[] {2, 8, 16}) {
            for (int len : new int[] {1, 2, 7, 8, 9, 63, 64, 65, 1000}) {
                StringBuilder digits = new StringBuilder("1");
                for (int i = 1; i < len; i++) {
                    digits.append(Character.forDigit(r.nextInt(radix), radix));
                }
                String prefix = radix == 2 ? "0b" : radix == 8 ? "0o" : "0x";
                PickleValue.PInt v = (PickleValue.PInt) Pk.load(Pk.of("I-" + prefix + digits + "\n."));
                assertEquals(new java.math.BigInteger(digits.toString(), radix).negate(), v.value(), prefix + digits);
            }
        }
        assertEquals(java.math.BigInteger.valueOf(255), ((PickleValue.PInt) Pk.load(Pk.of("I0XfF\n."))).value());
        org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(java.time.Duration.ofSeconds(60), () -> {
            for (int i = 0; i < 10; i++) {
                PickleValue.PInt v = (PickleValue.PInt) Pk.load(Pk.of("I0x" + "f".repeat(130_000) + "\n."));
                assertEquals(520_000, v.value().bitLength());
            }
            assertError(Pk.fail(Pk.of("F" + "1".repeat(200_000) + "x\n.")), Reason.INVALID, 0,
                    "could not convert string to float");
            assertEquals(1.5e300, ((PickleValue.PFloat) Pk.load(Pk.of("F15" + "0".repeat(299) + ".e0\n."))).value());
        });
    }

    /** No module has a name of megabytes; STACK_GLOBAL over memoized strings would copy them at every use. */
    @Test
    void globalNamesAreBounded() throws CheckpointException {
        String longName = "m".repeat(5000);
        assertError(Pk.fail(Pk.of("c" + longName + "\nx\n.")), Reason.LIMIT, 0,
                "global name of 5001 characters is longer than the limit of 4096");
        byte[] name = longName.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        assertError(Pk.fail(Pk.of("\u0080\u0004X", Pk.u32(name.length), name, "\u008c\u0001x\u0093.")), Reason.LIMIT,
                10 + name.length, "STACK_GLOBAL: global name of 5001 characters");
        String ok = "m".repeat(4000);
        assertEquals(ok + ".x", Pk.load(Pk.of("c" + ok + "\nx\n.")).toString());
    }

    @Test
    void textFormsAreCheckedLikeCPython() {
        assertError(Pk.fail(Pk.of("I010\n.")), Reason.INVALID, 0, "invalid literal for int() with base 0: '010'");
        assertError(Pk.fail(Pk.of("I1__0\n.")), Reason.INVALID, 0, "invalid literal");
        assertError(Pk.fail(Pk.of("I12L\n.")), Reason.INVALID, 0, "invalid literal");
        assertError(Pk.fail(Pk.of("I\n.")), Reason.INVALID, 0, "invalid literal");
        assertError(Pk.fail(Pk.of("I\u00e9\n.")), Reason.INVALID, 0, "not ASCII");
        assertError(Pk.fail(Pk.of("LL\n.")), Reason.INVALID, 0, "LONG: invalid literal");
        assertError(Pk.fail(Pk.of("F 1.5\n.")), Reason.INVALID, 0, "could not convert string to float");
        assertError(Pk.fail(Pk.of("F1_0.5\n.")), Reason.INVALID, 0, "could not convert");
        assertError(Pk.fail(Pk.of("F0x10\n.")), Reason.INVALID, 0, "could not convert");
        assertError(Pk.fail(Pk.of("F1e500\n.")), Reason.INVALID, 0, "too large");
        assertError(Pk.fail(Pk.of("Sabc\n.")), Reason.INVALID, 0, "must be quoted");
        assertError(Pk.fail(Pk.of("S'abc\"\n.")), Reason.INVALID, 0, "must be quoted");
        assertError(Pk.fail(Pk.of("S'a\\'\n.")), Reason.INVALID, 0, "trailing \\");
        assertError(Pk.fail(Pk.of("S'\\x4'\n.")), Reason.INVALID, 0, "invalid \\x escape");
        assertError(Pk.fail(Pk.of("V\\u00e\n.")), Reason.INVALID, 0, "truncated \\u escape");
        assertError(Pk.fail(Pk.of("V\\U00110000\n.")), Reason.INVALID, 0, "out of range");
        assertError(Pk.fail(Pk.of("\u008c\u0002\u00c3\u0028.")), Reason.INVALID, 0, "not valid UTF-8");
        assertError(Pk.fail(Pk.of("\u008c\u0002\u00c0\u0080.")), Reason.INVALID, 0, "not valid UTF-8");
        assertError(Pk.fail(Pk.of("c\u00ff\nx\n.")), Reason.INVALID, 0, "not valid UTF-8");
        assertError(Pk.fail(Pk.of("c\nx\n.")), Reason.INVALID, 0, "empty module or name");
        assertError(Pk.fail(Pk.of("(i\u00e9\nx\n.")), Reason.INVALID, 1, "not ASCII");
        assertError(Pk.fail(Pk.of("P\u00e9\n.")), Reason.INVALID, 0, "not ASCII");
    }

    @Test
    void python2StringsThatAreNotUtf8FallBackToLatin1() throws CheckpointException {
        assertEquals("'\\xff\\xe9'", PickleRepr.repr(Pk.load(Pk.of("S'\\777\u00e9'\n."))));
        assertEquals("'\\xff'", PickleRepr.repr(Pk.load(Pk.of("U\u0001\u00ff."))));
        assertEquals("'\\xe9'", PickleRepr.repr(Pk.load(Pk.of("U\u0002\u00c3\u00a9."))));
    }

    @Test
    void outOfBandBuffersAreRefused() {
        assertError(Pk.fail(Pk.of("\u0080\u0005\u0097.")), Reason.INVALID, 2, "NEXT_BUFFER: out-of-band buffers");
        assertError(Pk.fail(Pk.of("C\u0001a\u0098.")), Reason.INVALID, 3, "READONLY_BUFFER: out-of-band");
    }

    @Test
    void framesAndProtocols() {
        assertError(Pk.fail(Pk.of("\u0080\u0006N.")), Reason.UNSUPPORTED, 0, "PROTO: pickle protocol 6");
        assertError(Pk.fail(Pk.of("\u0095", Pk.u64(1L << 40), "N.")), Reason.LIMIT, 0, "FRAME of");
        assertError(Pk.fail(Pk.of("\u0095", Pk.u64(10), "N.")), Reason.INVALID, 10, "extends 8 bytes past STOP");
        assertError(Pk.fail(Pk.of("\u0095", Pk.u64(20), "N\u0095", Pk.u64(2), "N.")), Reason.INVALID, 10,
                "new FRAME starts before the end");
    }

    @Test
    void argumentsMustBeTuplesAndGlobalsStrings() {
        assertError(Pk.fail(Pk.of("ccollections\nOrderedDict\n]R.")), Reason.INVALID, 26,
                "REDUCE arguments are a list, not a tuple");
        assertError(Pk.fail(Pk.of("ccollections\nOrderedDict\nN\u0081.")), Reason.INVALID, 26,
                "NEWOBJ arguments are a NoneType");
        assertError(Pk.fail(Pk.of("ccollections\nOrderedDict\n)]\u0092.")), Reason.INVALID, 27, "not a dict");
        assertError(Pk.fail(Pk.of("K\u0001K\u0002\u0093.")), Reason.INVALID, 4, "STACK_GLOBAL requires two str");
        assertError(Pk.fail(Pk.of("(o.")), Reason.INVALID, 1, "OBJ needs a class");
        assertError(Pk.fail(Pk.of("\u0082\u0000.")), Reason.INVALID, 0, "EXT1: extension code 0 is not positive");
        assertError(Pk.fail(Pk.of("\u0084", Pk.u32(-3), ".")), Reason.INVALID, 0, "code -3");
    }

    @Test
    void newobjExWithKeywordsIsUnsupported() {
        CheckpointException e = Pk.fail(Pk.of("cmymod\nThing\n)}X\u0001\u0000\u0000\u0000aK\u0001s\u0092."));
        assertError(e, Reason.UNSUPPORTED, 24, "keyword arguments to mymod.Thing.__new__");
    }

    @Test
    void countsBytesThroughStopAndReportsOffsetsFromTheBase() throws Exception {
        byte[] first = Pk.of("\u0080\u0002K\u0001.");
        byte[] second = Pk.of("\u0080\u0002h\u0009.");
        byte[] both = new byte[first.length + second.length];
        System.arraycopy(first, 0, both, 0, first.length);
        System.arraycopy(second, 0, both, first.length, second.length);
        Unpickler a = new Unpickler(new DataOnlyHooks(), PickleLimits.DEFAULTS, Pk.RECORD);
        assertEquals("1", PickleRepr.repr(a.load(new ByteArrayInputStream(both))));
        assertEquals(first.length, a.bytesConsumed(), "the second pickle starts right behind the first's STOP");
        Unpickler b = new Unpickler(new DataOnlyHooks(), PickleLimits.DEFAULTS, Pk.RECORD, first.length);
        InputStream in = new ByteArrayInputStream(both, (int) a.bytesConsumed(), second.length);
        CheckpointException e = org.junit.jupiter.api.Assertions.assertThrows(CheckpointException.class,
                () -> b.load(in));
        assertEquals(first.length + 2, e.offset());
        assertEquals(4, b.bytesConsumed());
    }

    @ParameterizedTest
    @CsvSource({"0.", "N", "(((", "\u0080\u0002(K\u0001K\u0002u."})
    void neverARuntimeException(String pickle) {
        CheckpointException e = Pk.fail(Pk.of(pickle));
        assertEquals(Pk.RECORD, e.record());
    }
}
