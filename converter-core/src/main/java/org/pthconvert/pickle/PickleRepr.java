package org.pthconvert.pickle;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.util.ArrayDeque;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;

import org.pthconvert.pickle.PickleValue.PBool;
import org.pthconvert.pickle.PickleValue.PBytes;
import org.pthconvert.pickle.PickleValue.PDict;
import org.pthconvert.pickle.PickleValue.PFloat;
import org.pthconvert.pickle.PickleValue.PGlobal;
import org.pthconvert.pickle.PickleValue.PInt;
import org.pthconvert.pickle.PickleValue.PList;
import org.pthconvert.pickle.PickleValue.PNone;
import org.pthconvert.pickle.PickleValue.PObject;
import org.pthconvert.pickle.PickleValue.PSet;
import org.pthconvert.pickle.PickleValue.PStr;
import org.pthconvert.pickle.PickleValue.PSymbol;
import org.pthconvert.pickle.PickleValue.PTuple;

/**
 * Python-like text of a whole value tree, for messages, debugging and tests: {@code None},
 * {@code 1.5}, {@code 'caf\xe9'} (escaped like Python's {@code ascii()}), {@code b'\x00'},
 * {@code (1,)}, {@code [..]}, {@code {k: v}}, {@code OrderedDict({..}, _metadata=..)},
 * {@code frozenset({..})}, objects as {@code <module.Class args=.. state=..>}.
 *
 * <p>It walks with an explicit stack, prints a container that contains itself as {@code [...]}
 * (as Python does), and stops after a character budget, so a hostile tree of any depth or size
 * prints in bounded time and Java stack.
 */
public final class PickleRepr {
    /** Default budget of {@link #repr(PickleValue)}. */
    public static final int DEFAULT_MAX_CHARS = 10_000;

    private final StringBuilder out = new StringBuilder();
    private final int maxChars;
    private final ArrayDeque<Object> todo = new ArrayDeque<>();
    private final Set<PickleValue> open = Collections.newSetFromMap(new IdentityHashMap<>());

    private PickleRepr(int maxChars) {
        this.maxChars = maxChars;
    }

    public static String repr(PickleValue v) {
        return repr(v, DEFAULT_MAX_CHARS);
    }

    /** The text of {@code v}, cut after {@code maxChars} characters and then ending in "...". */
    public static String repr(PickleValue v, int maxChars) {
        PickleRepr r = new PickleRepr(maxChars);
        r.todo.push(v);
        while (!r.todo.isEmpty() && r.out.length() <= maxChars) {
            r.step(r.todo.pop());
        }
        if (r.out.length() > maxChars) {
            r.out.setLength(maxChars);
            r.out.append("...");
        }
        return r.out.toString();
    }

    /** Pending work: separators and closers (String), values, container exits and sequences. */
    private record Exit(PickleValue container, String closer) { }

    private static final class Seq {
        final Iterator<?> items;
        boolean first = true;

        Seq(Iterator<?> items) {
            this.items = items;
        }
    }

    /** A dict entry, printed {@code key: value}, or an attribute, printed {@code name=value}. */
    private record Pair(Object key, String sep, PickleValue value) { }

    private void step(Object task) {
        if (task instanceof String s) {
            out.append(s);
        } else if (task instanceof Exit e) {
            open.remove(e.container());
            out.append(e.closer());
        } else if (task instanceof Seq seq) {
            if (seq.items.hasNext()) {
                Object item = seq.items.next();
                todo.push(seq);
                if (item instanceof Pair p) {
                    todo.push(p.value());
                    todo.push(p.sep());
                    todo.push(p.key());
                } else {
                    todo.push(item);
                }
                if (!seq.first) {
                    todo.push(", ");
                }
                seq.first = false;
            }
        } else {
            value((PickleValue) task);
        }
    }

    private void value(PickleValue v) {
        if (v == PNone.NONE || v instanceof PBool || v instanceof PInt || v instanceof PGlobal) {
            out.append(v);
        } else if (v instanceof PFloat f) {
            out.append(pythonFloat(f.value()));
        } else if (v instanceof PStr s) {
            appendStr(s.value());
        } else if (v instanceof PBytes b) {
            appendBytes(b);
        } else if (v instanceof PTuple t) {
            container(t, "(", t.size() == 1 ? ",)" : ")", "(...)", t.items().iterator());
        } else if (v instanceof PList l) {
            container(l, "[", "]", "[...]", l.items().iterator());
        } else if (v instanceof PSet s) {
            boolean frozen = s.typeName().equals("frozenset");
            if (s.size() == 0) {
                out.append(frozen ? "frozenset()" : "set()");
            } else {
                container(s, frozen ? "frozenset({" : "{", frozen ? "})" : "}", "{...}", s.items().iterator());
            }
        } else if (v instanceof PDict d) {
            dict(d);
        } else if (v instanceof PObject o) {
            object(o);
        } else if (v instanceof PSymbol s) {
            out.append(s.what().qualified());
            if (s.args() != null) {
                container(s, "(", ")", "(...)", s.args().items().iterator());
            }
        } else {
            out.append(v);
        }
    }

    private void container(PickleValue v, String opener, String closer, String recursive, Iterator<?> items) {
        if (!open.add(v)) {
            out.append(recursive);
            return;
        }
        out.append(opener);
        todo.push(new Exit(v, closer));
        todo.push(new Seq(items));
    }

    private void dict(PDict d) {
        if (!open.add(d)) {
            out.append(d.isOrderedDict() ? "..." : "{...}");
            return;
        }
        out.append(d.isOrderedDict() ? "OrderedDict({" : "{");
        todo.push(new Exit(d, d.isOrderedDict() ? ")" : "}"));
        if (d.isOrderedDict() && !d.attributes().isEmpty()) {
            todo.push(new Seq(d.attributes().entrySet().stream()
                    .map(e -> (Object) new Pair(e.getKey(), "=", e.getValue())).iterator()));
            todo.push(", ");
        }
        if (d.isOrderedDict()) {
            todo.push("}");
        }
        todo.push(new Seq(pairs(d.entries())));
    }

    private void object(PObject o) {
        if (!open.add(o)) {
            out.append("<...>");
            return;
        }
        out.append('<').append(o.type().qualified());
        todo.push(new Exit(o, ">"));
        // Pushed in reverse: args, items, dict, state.
        if (o.state() != null) {
            todo.push(o.state());
            todo.push(" state=");
        }
        if (o.dictItems().size() > 0) {
            todo.push("}");
            todo.push(new Seq(pairs(o.dictItems().entries())));
            todo.push(" dict={");
        }
        if (!o.listItems().isEmpty()) {
            todo.push("]");
            todo.push(new Seq(o.listItems().iterator()));
            todo.push(" items=[");
        }
        if (o.args().size() > 0) {
            todo.push(o.args());
            todo.push(" args=");
        }
    }

    private static Iterator<Object> pairs(Iterable<Map.Entry<PickleValue, PickleValue>> entries) {
        Iterator<Map.Entry<PickleValue, PickleValue>> it = entries.iterator();
        return new Iterator<>() {
            @Override
            public boolean hasNext() { return it.hasNext(); }

            @Override
            public Object next() {
                Map.Entry<PickleValue, PickleValue> e = it.next();
                return new Pair(e.getKey(), ": ", e.getValue());
            }
        };
    }

    /** Like Python's {@code ascii(str)}: quotes chosen as Python does, everything non-ASCII escaped. */
    private void appendStr(String s) {
        char quote = s.indexOf('\'') >= 0 && s.indexOf('"') < 0 ? '"' : '\'';
        out.append(quote);
        for (int i = 0; i < s.length() && out.length() <= maxChars; ) {
            int cp = s.codePointAt(i);
            i += Character.charCount(cp);
            if (cp == quote || cp == '\\') {
                out.append('\\').append((char) cp);
            } else if (cp == '\t' || cp == '\n' || cp == '\r') {
                out.append(cp == '\t' ? "\\t" : cp == '\n' ? "\\n" : "\\r");
            } else if (cp >= 0x20 && cp < 0x7f) {
                out.append((char) cp);
            } else if (cp <= 0xff) {
                out.append(String.format("\\x%02x", cp));
            } else if (cp <= 0xffff) {
                out.append(String.format("\\u%04x", cp));
            } else {
                out.append(String.format("\\U%08x", cp));
            }
        }
        out.append(quote);
    }

    /** Python's {@code repr(bytes)} / {@code repr(bytearray)}. */
    private void appendBytes(PBytes b) {
        byte[] data = b.data();
        boolean single = false;
        boolean dbl = false;
        for (byte x : data) {
            single |= x == '\'';
            dbl |= x == '"';
        }
        char quote = single && !dbl ? '"' : '\'';
        out.append(b.isBytearray() ? "bytearray(b" : "b").append(quote);
        for (int i = 0; i < data.length && out.length() <= maxChars; i++) {
            int c = data[i] & 0xff;
            if (c == quote || c == '\\') {
                out.append('\\').append((char) c);
            } else if (c == '\t' || c == '\n' || c == '\r') {
                out.append(c == '\t' ? "\\t" : c == '\n' ? "\\n" : "\\r");
            } else if (c >= 0x20 && c < 0x7f) {
                out.append((char) c);
            } else {
                out.append(String.format("\\x%02x", c));
            }
        }
        out.append(quote).append(b.isBytearray() ? ")" : "");
    }

    /** Python's {@code repr(float)}: the shortest decimal that reads back as the same double. */
    public static String pythonFloat(double d) {
        if (Double.isNaN(d)) {
            return "nan";
        }
        if (Double.isInfinite(d)) {
            return d > 0 ? "inf" : "-inf";
        }
        if (d == 0) {
            return 1 / d < 0 ? "-0.0" : "0.0";
        }
        BigDecimal exact = new BigDecimal(d);
        BigDecimal shortest = exact;
        for (int p = 1; p <= 17; p++) {
            BigDecimal r = exact.round(new MathContext(p, RoundingMode.HALF_EVEN));
            if (r.doubleValue() == d) {
                shortest = r;
                break;
            }
        }
        shortest = shortest.stripTrailingZeros();
        String digits = shortest.unscaledValue().abs().toString();
        int point = digits.length() - shortest.scale(); // value = 0.<digits> x 10^point
        StringBuilder sb = new StringBuilder(d < 0 ? "-" : "");
        if (point > -4 && point <= 16) {
            if (point <= 0) {
                sb.append("0.").append("0".repeat(-point)).append(digits);
            } else if (point >= digits.length()) {
                sb.append(digits).append("0".repeat(point - digits.length())).append(".0");
            } else {
                sb.append(digits, 0, point).append('.').append(digits.substring(point));
            }
        } else {
            int exponent = point - 1;
            sb.append(digits.charAt(0));
            if (digits.length() > 1) {
                sb.append('.').append(digits.substring(1));
            }
            // Two digits at least, padded by hand: a Formatter costs a command its regular expressions
            // and locale data (README, "Start-up"), and Adam's eps=1e-08 is in most training checkpoints.
            int e = Math.abs(exponent);
            sb.append('e').append(exponent < 0 ? '-' : '+').append(e < 10 ? "0" : "").append(e);
        }
        return sb.toString();
    }
}
