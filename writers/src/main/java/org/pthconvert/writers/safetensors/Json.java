package org.pthconvert.writers.safetensors;

/**
 * JSON string literals escaped exactly as the reference tools escape them, so that our bytes equal
 * theirs.
 */
final class Json {

    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private Json() {
    }

    /**
     * As Rust's serde_json (the safetensors header): only {@code "}, {@code \} and U+0000..U+001F are
     * escaped; the five with short forms as {@code \b \t \n \f \r}, the rest as {@code \}{@code u00xx}
     * with lower-case hex; everything else (DEL, non-ASCII) is written raw, to be encoded as UTF-8.
     */
    static void serdeString(StringBuilder out, String s) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x20 || c == '"' || c == '\\') {
                escape(out, c);
            } else {
                out.append(c);
            }
        }
        out.append('"');
    }

    /**
     * As Python's {@code json.dumps} with its default {@code ensure_ascii=True} (the Hugging Face
     * index): like serde_json, but every character outside {@code ' '..'~'} (DEL and all non-ASCII)
     * becomes {@code \}{@code uxxxx}, characters past U+FFFF as their two UTF-16 surrogates.
     */
    static void pythonAsciiString(StringBuilder out, String s) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x20 || c == '"' || c == '\\' || c > '~') {
                escape(out, c);
            } else {
                out.append(c);
            }
        }
        out.append('"');
    }

    static void escape(StringBuilder out, char c) {
        switch (c) {
            case '"' -> out.append("\\\"");
            case '\\' -> out.append("\\\\");
            case '\b' -> out.append("\\b");
            case '\t' -> out.append("\\t");
            case '\n' -> out.append("\\n");
            case '\f' -> out.append("\\f");
            case '\r' -> out.append("\\r");
            default -> out.append("\\u")
                    .append(HEX[(c >>> 12) & 0xF]).append(HEX[(c >>> 8) & 0xF])
                    .append(HEX[(c >>> 4) & 0xF]).append(HEX[c & 0xF]);
        }
    }
}
