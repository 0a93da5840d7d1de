"""Writes the pickle fixtures UnpicklerFixtureTest reads; Java tests never need Python.

Run once, from this folder, with the project's venv:

    /work/main/.venv/bin/python gen_fixtures.py

Outputs:
  nested-p0.pkl .. nested-p5.pkl  one nested structure pickled with each protocol 0-5
  nested.expected                 its canonical text (what PickleRepr prints)
  opcode-cases.tsv                name, pickle hex, canonical text of what CPython loads from it

Expected text comes from CPython itself (the C unpickler, cross-checked with pickle.py, with
encoding='utf-8' as torch.load uses), printed by canon(), which mirrors PickleRepr.
"""
import collections
import pickle
import struct

OrderedDict = collections.OrderedDict


def canon(o, active=None):
    active = set() if active is None else active
    if o is None or isinstance(o, bool):
        return repr(o)
    if isinstance(o, int):
        return str(o)
    if isinstance(o, float):
        return repr(o)
    if isinstance(o, str):
        return ascii(o)
    if isinstance(o, (bytes, bytearray)):
        return repr(o)
    if isinstance(o, complex):
        return "builtins.complex(%s, %s)" % (repr(o.real), repr(o.imag))
    if isinstance(o, type) or callable(o):
        return "%s.%s" % (o.__module__, o.__qualname__)
    if id(o) in active:
        return {tuple: "(...)", list: "[...]", dict: "{...}", OrderedDict: "..."}[type(o)]
    active.add(id(o))
    try:
        if isinstance(o, tuple):
            return "(" + ", ".join(canon(x, active) for x in o) + ("," if len(o) == 1 else "") + ")"
        if isinstance(o, list):
            return "[" + ", ".join(canon(x, active) for x in o) + "]"
        if isinstance(o, OrderedDict):
            attrs = "".join(", %s=%s" % (k, canon(v, active)) for k, v in vars(o).items())
            return "OrderedDict(" + canon(dict(o), active) + attrs + ")"
        if isinstance(o, dict):
            return "{" + ", ".join(canon(k, active) + ": " + canon(v, active) for k, v in o.items()) + "}"
        if isinstance(o, (set, frozenset)):
            body = "{" + ", ".join(canon(x, active) for x in o) + "}"
            if isinstance(o, frozenset):
                return "frozenset(" + body + ")" if o else "frozenset()"
            return body if o else "set()"
    finally:
        active.discard(id(o))
    raise TypeError(type(o))


def load_both(data):
    c = canon(pickle.loads(data, encoding="utf-8"))
    py = canon(pickle._loads(data, encoding="utf-8"))
    assert c == py, (data, c, py)
    return c


def nested():
    od = OrderedDict([("weight", [1.5, -0.0, float("inf")]), ("bias", None)])
    od._metadata = OrderedDict([("", {"version": 1})])
    shared = [1, 2]
    cycle = []
    cycle.append(cycle)
    return {
        "str": "h\u00e9llo w\u00f6rld \u2713 \u65e5\u672c \U0001F600 it's \"q\"\n\t\\ \x00\x1a\r",
        "bytes": b"\x00\x01\xff'\"\\",
        "empty_bytes": b"",
        "bytearray": bytearray(b"ab\x00"),
        "empty_bytearray": bytearray(),
        "ints": [0, 1, -1, 255, 256, 65535, 65536, 2**31 - 1, -2**31, 2**31, 2**63, -2**63 - 1,
                 2**100, -2**100],
        "floats": [0.0, -0.0, 1.5, 0.1, 1e100, -1e-300, float("inf"), float("-inf"), float("nan"),
                   1e16, 1e-5, 123456.789, 5e-324],
        "consts": (True, False, None),
        "tuple0": (), "tuple1": (1,), "tuple2": (1, 2), "tuple3": (1, 2, 3), "tuple4": (1, 2, 3, 4),
        "set": {1, 2, 3}, "empty_set": set(), "frozenset": frozenset({3, 4}), "empty_frozenset": frozenset(),
        "od": od,
        "nested": {"a": {"b": {"c": [shared, shared, (shared,)]}}},
        "cycle": cycle,
        1: "int key", (1, "x"): "tuple key", None: "none key", 2.5: "float key",
        "complex": 1 + 2j,
        "long_list": list(range(1500)),
        "big_dict": {str(i): i for i in range(1100)},
    }


def u64(n):
    return struct.pack("<Q", n)


CASES = [
    # integers
    ("INT", b"I42\n."), ("INT", b"I-7\n."), ("INT", b"I01\n."), ("INT", b"I00\n."), ("INT", b"I0x1f\n."),
    ("INT", b"I0o17\n."), ("INT", b"I0b11\n."), ("INT", b"I1_000\n."), ("INT", b"I 12 \n."), ("INT", b"I000\n."),
    ("INT", b"I99999999999999999999999\n."), ("INT", b"I-0x_f\n."),
    ("BININT", b"J\xff\xff\xff\xff."), ("BININT", b"J\x00\x00\x00\x80."), ("BININT", b"J\x01\x02\x03\x04."),
    ("BININT1", b"K\xff."), ("BININT2", b"M\xff\xfe."),
    ("LONG", b"L12345678901234567890L\n."), ("LONG", b"L-5\n."), ("LONG", b"L0x10L\n."), ("LONG", b"L0\n."),
    ("LONG1", b"\x8a\x00."), ("LONG1", b"\x8a\x01\xff."), ("LONG1", b"\x8a\x01\x7f."),
    ("LONG1", b"\x8a\x02\x00\x80."), ("LONG1", b"\x8a\x02\xff\x00."),
    ("LONG1", pickle.dumps(2**100, 2)), ("LONG1", pickle.dumps(-2**100, 2)), ("LONG1", pickle.dumps(-2**63, 2)),
    ("LONG4", b"\x8b\x00\x00\x00\x00."), ("LONG4", b"\x8b\x02\x00\x00\x00\x00\x80."),
    ("LONG4", b"\x8b\x01\x01\x00\x00" + b"\x00" * 256 + b"\x01."),
    # strings and bytes
    ("STRING", b"S'abc'\n."), ("STRING", b"S\"it's\"\n."), ("STRING", b"S''\n."),
    ("STRING", b"S'a\\nb\\x41\\101\\q\\\\\\'\\t\\12\\0'\n."), ("STRING", b"S'caf\xc3\xa9'\n."),
    ("BINSTRING", b"T\x03\x00\x00\x00abc."), ("SHORT_BINSTRING", b"U\x03abc."), ("SHORT_BINSTRING", b"U\x00."),
    ("UNICODE", b"Vcaf\xe9\n."), ("UNICODE", b"V\\u65e5\\U0001f600\n."), ("UNICODE", b"V\\\\u0041\n."),
    ("UNICODE", b"V\\\\\\u0041\n."), ("UNICODE", b"Va\\\n."), ("UNICODE", b"V\\x41\\n\n."), ("UNICODE", b"V\n."),
    ("SHORT_BINUNICODE", b"\x8c\x05caf\xc3\xa9."), ("SHORT_BINUNICODE", b"\x8c\x03\xed\xa0\x80."),
    ("SHORT_BINUNICODE", b"\x8c\x04\xf0\x9f\x98\x80."),
    ("BINUNICODE", b"X\x02\x00\x00\x00hi."), ("BINUNICODE8", b"\x8d" + u64(2) + b"hi."),
    ("BINBYTES", b"B\x03\x00\x00\x00\x00\x01\xff."), ("SHORT_BINBYTES", b"C\x02'\"."),
    ("SHORT_BINBYTES", b"C\x01'."), ("BINBYTES8", b"\x8e" + u64(1) + b"x."), ("BYTEARRAY8", b"\x96" + u64(2) + b"ab."),
    # constants and floats
    ("NONE", b"N."), ("NEWTRUE", b"\x88."), ("NEWFALSE", b"\x89."),
    ("FLOAT", b"F1.5\n."), ("FLOAT", b"F-0.0\n."), ("FLOAT", b"Finf\n."), ("FLOAT", b"F-Infinity\n."),
    ("FLOAT", b"FNaN\n."), ("FLOAT", b"F1e-05\n."), ("FLOAT", b"F.5\n."), ("FLOAT", b"F5.\n."), ("FLOAT", b"F1e16\n."),
    ("FLOAT", b"F0.1\n."), ("FLOAT", b"F+1.5E-3\n."), ("FLOAT", b"F123456789012345678\n."), ("FLOAT", b"F1e-400\n."),
    ("BINFLOAT", b"G" + struct.pack(">d", 1.5) + b"."), ("BINFLOAT", b"G" + struct.pack(">d", -1e-300) + b"."),
    ("BINFLOAT", b"G\x7f\xf0\x00\x00\x00\x00\x00\x00."),
    # containers
    ("EMPTY_LIST", b"]."), ("APPEND", b"]K\x01a."), ("APPENDS", b"](K\x01K\x02e."), ("APPENDS", b"](e."),
    ("LIST", b"(K\x01K\x02l."), ("LIST", b"(l."),
    ("EMPTY_TUPLE", b")."), ("TUPLE", b"(K\x01t."), ("TUPLE", b"(t."), ("TUPLE1", b"K\x01\x85."),
    ("TUPLE2", b"K\x01K\x02\x86."), ("TUPLE3", b"K\x01K\x02K\x03\x87."),
    ("EMPTY_DICT", b"}."), ("DICT", b"(K\x01K\x02K\x03K\x04d."), ("DICT", b"(K\x01K\x02K\x01K\x03d."),
    ("DICT", b"(K\x01K\x02\x88K\x03d."), ("DICT", b"(d."), ("DICT", b"(K\x01K\x02\x86K\x05d."),
    ("SETITEM", b"}K\x01K\x02s."), ("SETITEMS", b"}(K\x01K\x02K\x03K\x04u."), ("SETITEMS", b"}(u."),
    ("EMPTY_SET", b"\x8f."), ("ADDITEMS", b"\x8f(K\x01K\x02K\x01\x90."), ("FROZENSET", b"(K\x01K\x02\x91."),
    ("FROZENSET", b"(\x91."),
    # stack and memo
    ("POP", b"K\x01K\x020."), ("POP", b"K\x01(0."), ("POP_MARK", b"K\x01(K\x02K\x031."), ("MARK", b"(K\x01t."),
    ("DUP", b"K\x012\x86."),
    ("PUT", b"K\x07p3\ng3\n\x86."), ("GET", b"K\x07p010\ng10\n\x86."), ("PUT", b"K\x07p 1_0 \ng10\n\x86."),
    ("BINPUT", b"K\x07q\x05h\x05\x86."), ("BINGET", b"K\x07q\xffh\xff\x86."),
    ("LONG_BINPUT", b"K\x07r\x00\x00\x01\x00j\x00\x00\x01\x00\x86."),
    ("LONG_BINGET", b"K\x07r\x00\x10\x00\x00j\x00\x10\x00\x00\x86."),
    ("MEMOIZE", b"K\x07\x94h\x00\x86."), ("MEMOIZE", b"K\x01q\x05K\x02\x94h\x01\x86."),
    ("MEMOIZE", b"K\x01\x94K\x02\x94h\x00h\x01\x86."),
    ("BINGET", b"]q\x00h\x00a."), ("BINGET", b"}q\x00K\x01h\x00s."), ("BINGET", b"]q\x00h\x00\x85a."),
    # framing
    ("PROTO", b"\x80\x02N."), ("PROTO", b"\x80\x05N."), ("PROTO", b"\x80\x00N."),
    ("FRAME", b"\x80\x04\x95" + u64(3) + b"K\x01."), ("FRAME", b"\x80\x04\x95" + u64(0) + b"\x95" + u64(3) + b"K\x01."),
    ("STOP", b"K\x01K\x02."), ("STOP", b"(K\x01."),
    # objects through the plain-data allowlist
    ("GLOBAL", b"ccollections\nOrderedDict\n."),
    ("STACK_GLOBAL", b"\x8c\x0bcollections\x8c\x0bOrderedDict\x93."),
    ("REDUCE", b"ccollections\nOrderedDict\n)R."),
    ("REDUCE", b"ccollections\nOrderedDict\n((K\x01K\x02t(K\x03K\x04tl\x85R."),
    ("BUILD", b"ccollections\nOrderedDict\n)R}(X\x01\x00\x00\x00aK\x01ub."),
    ("BUILD", b"ccollections\nOrderedDict\n)RN}X\x01\x00\x00\x00bK\x02s\x86b."),
    ("INST", b"(icollections\nOrderedDict\n."), ("OBJ", b"(ccollections\nOrderedDict\no."),
    ("REDUCE", b"c__builtin__\nset\n(lK\x01aK\x02a\x85R."), ("REDUCE", b"cbuiltins\nfrozenset\n)R."),
    ("REDUCE", b"c__builtin__\nlist\n(K\x01K\x02t\x85R."), ("REDUCE", b"cbuiltins\ntuple\n]K\x01a\x85R."),
    ("REDUCE", b"cbuiltins\ndict\n((K\x01K\x02tl\x85R."),
    ("REDUCE", b"c_codecs\nencode\nX\x02\x00\x00\x00\xc3\xa9X\x06\x00\x00\x00latin1\x86R."),
    ("REDUCE", b"c__builtin__\nbytes\n)R."), ("REDUCE", b"c__builtin__\nbytearray\nC\x02ab\x85R."),
    ("REDUCE", b"c__builtin__\nbytearray\n)R."),
    ("REDUCE", b"c__builtin__\ncomplex\nG" + struct.pack(">d", 1.0) + b"G" + struct.pack(">d", 2.0) + b"\x86R."),
    ("REDUCE", b"cbuiltins\ncomplex\nK\x03\x85R."),
    ("NEWOBJ", b"cbuiltins\ncomplex\nK\x01K\x02\x86\x81."),
    ("NEWOBJ_EX", b"cbuiltins\ncomplex\nK\x01K\x02\x86}\x92."),
]


def main():
    value = nested()
    expected = canon(value)
    for p in range(6):
        data = pickle.dumps(value, protocol=p)
        assert load_both(data) == expected, p
        with open("nested-p%d.pkl" % p, "wb") as f:
            f.write(data)
    with open("nested.expected", "w", encoding="ascii") as f:
        f.write(expected + "\n")
    with open("opcode-cases.tsv", "w", encoding="ascii") as f:
        f.write("# Written by gen_fixtures.py: opcode, pickle (hex), canonical text of what CPython loads.\n")
        for name, data in CASES:
            f.write("%s\t%s\t%s\n" % (name, data.hex(), load_both(data)))


main()
