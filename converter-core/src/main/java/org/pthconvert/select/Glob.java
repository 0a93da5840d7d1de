package org.pthconvert.select;

import java.util.regex.Pattern;

/**
 * Shell-style patterns for tensor names, as Python's fnmatch reads them: {@code *} matches any run
 * of characters including dots, {@code ?} one character, {@code [abc]} / {@code [!abc]} a set.
 */
public final class Glob {
    private final String text;
    private final Pattern pattern;

    private Glob(String text, Pattern pattern) {
        this.text = text;
        this.pattern = pattern;
    }

    public static Glob compile(String glob) {
        StringBuilder re = new StringBuilder();
        for (int i = 0; i < glob.length(); i++) {
            char c = glob.charAt(i);
            switch (c) {
                case '*' -> re.append(".*");
                case '?' -> re.append('.');
                case '[' -> {
                    int close = glob.indexOf(']', i + 2);
                    if (close < 0) {
                        re.append("\\[");
                    } else {
                        String set = glob.substring(i + 1, close);
                        re.append('[');
                        if (set.startsWith("!")) {
                            re.append('^');
                            set = set.substring(1);
                        }
                        re.append(set.replace("\\", "\\\\").replace("[", "\\[")).append(']');
                        i = close;
                    }
                }
                default -> re.append(Pattern.quote(String.valueOf(c)));
            }
        }
        return new Glob(glob, Pattern.compile(re.toString(), Pattern.DOTALL));
    }

    public boolean matches(String name) {
        return pattern.matcher(name).matches();
    }

    @Override
    public String toString() { return text; }
}
