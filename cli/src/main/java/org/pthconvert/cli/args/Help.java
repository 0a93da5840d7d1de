package org.pthconvert.cli.args;

import java.util.ArrayList;
import java.util.List;

import org.pthconvert.cli.format.Columns;

/**
 * A command's {@code --help} text from its {@link Spec}: the usage line (a synopsis of every option),
 * the description, the options with their descriptions wrapped beside them, the subcommands, the footer.
 * Everything wraps at {@link #WIDTH} columns, only at spaces.
 */
public final class Help {

    public static final int WIDTH = 80;
    /** Options whose names and label are longer than this get their description on the next line. */
    private static final int MAX_LEFT = 28;
    private static final String[] HELP_ROW = {"  -h, --help", "Show this help message and exit."};
    private static final String[] VERSION_ROW = {"  -V, --version", "Print version information and exit."};

    private Help() {
    }

    public static String render(Spec spec) {
        StringBuilder sb = new StringBuilder(4096);
        String lead = "Usage: " + spec.name() + " ";
        wrap(sb, lead + synopsis(spec), lead.length(), lead.length());
        for (String p : spec.description()) {
            paragraph(sb, p);
        }
        sb.append('\n');
        options(sb, spec);
        if (!spec.commands().isEmpty()) {
            sb.append("Commands:\n");
            int w = 0;
            for (Spec.Sub c : spec.commands()) {
                w = Math.max(w, c.name().length());
            }
            for (Spec.Sub c : spec.commands()) {
                wrap(sb, "  " + Columns.pad(c.name(), w) + "  " + c.summary(), w + 4, w + 6);
            }
        }
        for (String p : spec.footer()) {
            paragraph(sb, p);
        }
        return sb.toString();
    }

    /** {@code [-fhqV] [--compress] [--dtype=TYPE] --to=FORMAT [--exclude=GLOB]... IN OUT}. */
    static String synopsis(Spec spec) {
        List<String> shortFlags = new ArrayList<>();
        List<String[]> flags = new ArrayList<>();
        List<String[]> values = new ArrayList<>();
        List<String[]> lists = new ArrayList<>();
        shortFlags.add("h");
        shortFlags.add("V");
        for (Opt o : spec.options()) {
            if (o.hidden()) {
                continue;
            }
            String shortName = o.names().get(0).length() == 2 ? o.names().get(0) : null;
            String shown = shortName != null ? shortName : o.key();
            String sortKey = shown.substring(shown.charAt(1) == '-' ? 2 : 1).toLowerCase(java.util.Locale.ROOT);
            switch (o.kind()) {
                case FLAG:
                    if (shortName != null) {
                        shortFlags.add(shortName.substring(1));
                    } else {
                        flags.add(new String[] {sortKey, "[" + shown + "]"});
                    }
                    break;
                case VALUE:
                    String v = shown + "=" + o.label();
                    values.add(new String[] {sortKey, o.required() ? v : "[" + v + "]"});
                    break;
                default:
                    lists.add(new String[] {sortKey, "[" + shown + "=" + o.label() + "]..."});
            }
        }
        shortFlags.sort(String.CASE_INSENSITIVE_ORDER);
        StringBuilder sb = new StringBuilder("[-");
        for (String s : shortFlags) {
            sb.append(s);
        }
        sb.append(']');
        for (List<String[]> group : List.of(flags, values, lists)) {
            sortByKey(group);
            for (String[] e : group) {
                sb.append(' ').append(e[1]);
            }
        }
        for (Positional p : spec.positionals()) {
            sb.append(' ').append(p.synopsis());
        }
        return sb.toString();
    }

    private static void options(StringBuilder sb, Spec spec) {
        List<String[]> rows = new ArrayList<>();
        List<List<String>> helps = new ArrayList<>();
        for (Positional p : spec.positionals()) {
            if (!p.help().isEmpty()) {
                rows.add(new String[] {"      " + p.synopsis()});
                helps.add(p.help());
            }
        }
        for (Opt o : spec.options()) {
            if (!o.hidden()) {
                rows.add(new String[] {left(o)});
                helps.add(o.help());
            }
        }
        rows.add(new String[] {HELP_ROW[0]});
        helps.add(List.of(HELP_ROW[1]));
        rows.add(new String[] {VERSION_ROW[0]});
        helps.add(List.of(VERSION_ROW[1]));
        int col = 0;
        for (String[] r : rows) {
            if (r[0].length() <= MAX_LEFT) {
                col = Math.max(col, r[0].length());
            }
        }
        col += 2;
        for (int i = 0; i < rows.size(); i++) {
            String left = rows.get(i)[0];
            List<String> help = helps.get(i);
            if (left.length() + 2 > col) {
                sb.append(left).append('\n');
                left = "";
            }
            if (help.isEmpty()) {
                sb.append(left).append('\n');
            }
            for (int p = 0; p < help.size(); p++) {
                String first = Columns.pad(p == 0 ? left : "", col);
                wrap(sb, first + help.get(p), col, col + 2);
            }
        }
    }

    /** {@code "  -f, --force"}, {@code "      --to=FORMAT"}, {@code "  -O=KEY=VALUE"}. */
    private static String left(Opt o) {
        StringBuilder sb = new StringBuilder("  ");
        List<String> names = o.names();
        boolean hasShort = names.get(0).length() == 2;
        String longName = names.get(names.size() - 1);
        if (hasShort && names.size() > 1) {
            sb.append(names.get(0)).append(", ").append(longName);
        } else if (hasShort) {
            sb.append(longName);
        } else {
            sb.append("    ").append(longName);
        }
        if (o.takesValue()) {
            sb.append('=').append(o.label());
        }
        return sb.toString();
    }

    /**
     * One paragraph; an empty one is a blank line. A paragraph that starts with spaces is a row of an
     * indented table ({@code "  safe          plain data ..."}): it wraps under its second column when
     * that is near, else four columns in.
     */
    private static void paragraph(StringBuilder sb, String p) {
        if (p.isEmpty()) {
            sb.append('\n');
            return;
        }
        int indent = 0;
        while (indent < p.length() && p.charAt(indent) == ' ') {
            indent++;
        }
        int hang = indent;
        if (indent > 0) {
            int gap = p.indexOf("  ", indent);
            int column = gap;
            while (column >= 0 && column < p.length() && p.charAt(column) == ' ') {
                column++;
            }
            hang = gap > 0 && column <= 16 ? column : indent + 4;
        }
        wrap(sb, p, indent, hang);
    }

    /**
     * Appends {@code text} broken at spaces so no line passes {@link #WIDTH} (unless one word does);
     * {@code text} may start with spaces or a left column up to {@code firstIndent}; later lines start
     * at {@code nextIndent}.
     */
    static void wrap(StringBuilder sb, String text, int firstIndent, int nextIndent) {
        int lineStart = sb.length();
        int pos = Math.min(firstIndent, text.length());
        sb.append(text, 0, pos);
        boolean lineHasWord = false;
        while (pos < text.length()) {
            int gap = pos;
            while (pos < text.length() && text.charAt(pos) == ' ') {
                pos++;
            }
            if (pos >= text.length()) {
                break;
            }
            int end = text.indexOf(' ', pos);
            if (end < 0) {
                end = text.length();
            }
            int lineLength = sb.length() - lineStart;
            if (lineHasWord && lineLength + (pos - gap) + (end - pos) > WIDTH) {
                sb.append('\n');
                lineStart = sb.length();
                sb.append(" ".repeat(nextIndent));
            } else {
                sb.append(text, gap, pos);
            }
            sb.append(text, pos, end);
            lineHasWord = true;
            pos = end;
        }
        sb.append('\n');
    }

    private static void sortByKey(List<String[]> entries) {
        for (int i = 1; i < entries.size(); i++) {
            String[] e = entries.get(i);
            int j = i - 1;
            while (j >= 0 && entries.get(j)[0].compareTo(e[0]) > 0) {
                entries.set(j + 1, entries.get(j));
                j--;
            }
            entries.set(j + 1, e);
        }
    }
}
