package org.pthconvert.pickle.reader;

/**
 * Every pickle opcode of protocols 0-5, as Python's {@code pickletools.opcodes} lists them: code
 * byte, argument kind and the protocol that introduced it. {@code OpcodeTableTest} compares this
 * table with a copy of Python's, so a wrong code or argument kind cannot slip in.
 *
 * <p>The protocol is informational: like CPython, the {@link Unpickler} accepts any opcode whatever
 * the PROTO header says.
 */
public enum Opcode {
    // Integers
    INT('I', Arg.DECIMALNL_SHORT, 0),
    BININT('J', Arg.INT4, 1),
    BININT1('K', Arg.UINT1, 1),
    BININT2('M', Arg.UINT2, 1),
    LONG('L', Arg.DECIMALNL_LONG, 0),
    LONG1(0x8a, Arg.LONG1, 2),
    LONG4(0x8b, Arg.LONG4, 2),
    // Strings and bytes
    STRING('S', Arg.STRINGNL, 0),
    BINSTRING('T', Arg.STRING4, 1),
    SHORT_BINSTRING('U', Arg.STRING1, 1),
    BINBYTES('B', Arg.BYTES4, 3),
    SHORT_BINBYTES('C', Arg.BYTES1, 3),
    BINBYTES8(0x8e, Arg.BYTES8, 4),
    BYTEARRAY8(0x96, Arg.BYTEARRAY8, 5),
    NEXT_BUFFER(0x97, Arg.NONE, 5),
    READONLY_BUFFER(0x98, Arg.NONE, 5),
    // Constants
    NONE('N', Arg.NONE, 0),
    NEWTRUE(0x88, Arg.NONE, 2),
    NEWFALSE(0x89, Arg.NONE, 2),
    UNICODE('V', Arg.UNICODESTRINGNL, 0),
    SHORT_BINUNICODE(0x8c, Arg.UNICODESTRING1, 4),
    BINUNICODE('X', Arg.UNICODESTRING4, 1),
    BINUNICODE8(0x8d, Arg.UNICODESTRING8, 4),
    FLOAT('F', Arg.FLOATNL, 0),
    BINFLOAT('G', Arg.FLOAT8, 1),
    // Containers
    EMPTY_LIST(']', Arg.NONE, 1),
    APPEND('a', Arg.NONE, 0),
    APPENDS('e', Arg.NONE, 1),
    LIST('l', Arg.NONE, 0),
    EMPTY_TUPLE(')', Arg.NONE, 1),
    TUPLE('t', Arg.NONE, 0),
    TUPLE1(0x85, Arg.NONE, 2),
    TUPLE2(0x86, Arg.NONE, 2),
    TUPLE3(0x87, Arg.NONE, 2),
    EMPTY_DICT('}', Arg.NONE, 1),
    DICT('d', Arg.NONE, 0),
    SETITEM('s', Arg.NONE, 0),
    SETITEMS('u', Arg.NONE, 1),
    EMPTY_SET(0x8f, Arg.NONE, 4),
    ADDITEMS(0x90, Arg.NONE, 4),
    FROZENSET(0x91, Arg.NONE, 4),
    // Stack and memo
    POP('0', Arg.NONE, 0),
    DUP('2', Arg.NONE, 0),
    MARK('(', Arg.NONE, 0),
    POP_MARK('1', Arg.NONE, 1),
    GET('g', Arg.DECIMALNL_SHORT, 0),
    BINGET('h', Arg.UINT1, 1),
    LONG_BINGET('j', Arg.UINT4, 1),
    PUT('p', Arg.DECIMALNL_SHORT, 0),
    BINPUT('q', Arg.UINT1, 1),
    LONG_BINPUT('r', Arg.UINT4, 1),
    MEMOIZE(0x94, Arg.NONE, 4),
    // Objects: these reach outside plain data and go through PickleHooks
    EXT1(0x82, Arg.UINT1, 2),
    EXT2(0x83, Arg.UINT2, 2),
    EXT4(0x84, Arg.INT4, 2),
    GLOBAL('c', Arg.STRINGNL_NOESCAPE_PAIR, 0),
    STACK_GLOBAL(0x93, Arg.NONE, 4),
    REDUCE('R', Arg.NONE, 0),
    BUILD('b', Arg.NONE, 0),
    INST('i', Arg.STRINGNL_NOESCAPE_PAIR, 0),
    OBJ('o', Arg.NONE, 1),
    NEWOBJ(0x81, Arg.NONE, 2),
    NEWOBJ_EX(0x92, Arg.NONE, 4),
    // Framing and control
    PROTO(0x80, Arg.UINT1, 2),
    STOP('.', Arg.NONE, 0),
    FRAME(0x95, Arg.UINT8, 4),
    PERSID('P', Arg.STRINGNL_NOESCAPE, 0),
    BINPERSID('Q', Arg.NONE, 1);

    /** Highest protocol this table covers (Python's {@code pickle.HIGHEST_PROTOCOL}). */
    public static final int HIGHEST_PROTOCOL = 5;

    private static final Opcode[] BY_CODE = new Opcode[256];

    static {
        for (Opcode op : values()) {
            if (BY_CODE[op.code] != null) {
                throw new ExceptionInInitializerError("duplicate opcode byte " + op.code);
            }
            BY_CODE[op.code] = op;
        }
    }

    private final int code;
    private final Arg arg;
    private final int protocol;

    Opcode(int code, Arg arg, int protocol) {
        this.code = code;
        this.arg = arg;
        this.protocol = protocol;
    }

    /** The opcode byte, 0-255. */
    public int code() { return code; }

    /** How the argument following the opcode byte is encoded. */
    public Arg arg() { return arg; }

    /** The pickle protocol that introduced this opcode. */
    public int protocol() { return protocol; }

    /** The opcode with byte {@code code} (0-255), or null if the byte is no opcode. */
    public static Opcode of(int code) {
        return code >= 0 && code < 256 ? BY_CODE[code] : null;
    }

    /**
     * Argument encodings, named as in {@code pickletools}. {@link #n()} uses pickletools' convention:
     * a positive fixed byte count, or one of the negative markers below.
     */
    public enum Arg {
        NONE(null, 0),
        UINT1("uint1", 1),
        UINT2("uint2", 2),
        INT4("int4", 4),
        UINT4("uint4", 4),
        UINT8("uint8", 8),
        FLOAT8("float8", 8),
        DECIMALNL_SHORT("decimalnl_short", Arg.UP_TO_NEWLINE),
        DECIMALNL_LONG("decimalnl_long", Arg.UP_TO_NEWLINE),
        FLOATNL("floatnl", Arg.UP_TO_NEWLINE),
        STRINGNL("stringnl", Arg.UP_TO_NEWLINE),
        STRINGNL_NOESCAPE("stringnl_noescape", Arg.UP_TO_NEWLINE),
        /** Two newline-terminated lines (module, name); pickletools still counts it as one. */
        STRINGNL_NOESCAPE_PAIR("stringnl_noescape_pair", Arg.UP_TO_NEWLINE),
        UNICODESTRINGNL("unicodestringnl", Arg.UP_TO_NEWLINE),
        LONG1("long1", Arg.LENGTH_U1),
        LONG4("long4", Arg.LENGTH_S4),
        STRING1("string1", Arg.LENGTH_U1),
        STRING4("string4", Arg.LENGTH_S4),
        BYTES1("bytes1", Arg.LENGTH_U1),
        BYTES4("bytes4", Arg.LENGTH_U4),
        BYTES8("bytes8", Arg.LENGTH_U8),
        BYTEARRAY8("bytearray8", Arg.LENGTH_U8),
        UNICODESTRING1("unicodestring1", Arg.LENGTH_U1),
        UNICODESTRING4("unicodestring4", Arg.LENGTH_U4),
        UNICODESTRING8("unicodestring8", Arg.LENGTH_U8);

        /** Text up to and including a newline. */
        public static final int UP_TO_NEWLINE = -1;
        /** A 1-byte unsigned length, then that many bytes. */
        public static final int LENGTH_U1 = -2;
        /** A 4-byte signed little-endian length, then that many bytes. */
        public static final int LENGTH_S4 = -3;
        /** A 4-byte unsigned little-endian length, then that many bytes. */
        public static final int LENGTH_U4 = -4;
        /** An 8-byte unsigned little-endian length, then that many bytes. */
        public static final int LENGTH_U8 = -5;

        private final String pythonName;
        private final int n;

        Arg(String pythonName, int n) {
            this.pythonName = pythonName;
            this.n = n;
        }

        /** The pickletools ArgumentDescriptor name, or null for no argument. */
        public String pythonName() { return pythonName; }

        /** Byte count (> 0), 0 for no argument, or one of the negative markers of this enum. */
        public int n() { return n; }
    }
}
