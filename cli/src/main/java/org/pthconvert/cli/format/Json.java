package org.pthconvert.cli.format;

/**
 * Just enough JSON writing for {@code --json} output: a streaming builder that takes care of commas
 * and string escaping. Output is compact; one document per command.
 */
public final class Json {
    private final StringBuilder sb = new StringBuilder();
    private boolean needComma;

    public Json beginObject() { value(); sb.append('{'); needComma = false; return this; }

    public Json endObject() { sb.append('}'); needComma = true; return this; }

    public Json beginArray() { value(); sb.append('['); needComma = false; return this; }

    public Json endArray() { sb.append(']'); needComma = true; return this; }

    public Json name(String name) {
        if (needComma) {
            sb.append(',');
        }
        quote(name);
        sb.append(':');
        needComma = false;
        return this;
    }

    public Json string(String s) {
        value();
        if (s == null) {
            sb.append("null");
        } else {
            quote(s);
        }
        needComma = true;
        return this;
    }

    public Json number(long n) { value(); sb.append(n); needComma = true; return this; }

    /** JSON has no NaN or infinity: those become strings, as Python's json would not accept them either. */
    public Json number(double d) {
        value();
        if (Double.isNaN(d) || Double.isInfinite(d)) {
            quote(Double.isNaN(d) ? "nan" : d > 0 ? "inf" : "-inf");
        } else {
            sb.append(d);
        }
        needComma = true;
        return this;
    }

    public Json raw(String literal) { value(); sb.append(literal); needComma = true; return this; }

    public Json bool(boolean b) { return raw(b ? "true" : "false"); }

    public Json field(String name, String value) { return name(name).string(value); }

    public Json field(String name, long value) { return name(name).number(value); }

    public Json field(String name, boolean value) { return name(name).bool(value); }

    private void value() {
        if (needComma) {
            sb.append(',');
        }
    }

    private void quote(String s) {
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (c < 0x20) {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        sb.append('"');
    }

    @Override
    public String toString() { return sb.toString(); }
}
