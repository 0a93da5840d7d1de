package org.pthconvert.select;

import java.util.ArrayList;
import java.util.List;

/**
 * Shell-style patterns for tensor names, exactly as Python's {@code fnmatch.fnmatchcase} reads
 * them: {@code *} matches any run of characters (dots and newlines too), {@code ?} one character,
 * {@code [abc]}, {@code [a-z]} and {@code [!abc]} a set; a {@code [} without its {@code ]} is
 * literal, and so is every other character (a backslash escapes nothing). Matching walks the name
 * once per star position at most, never backtracking exponentially, so a long name costs at most
 * its length times the pattern's.
 */
public final class Glob {

    private final String text;
    private final List<Token> tokens;

    private Glob(String text, List<Token> tokens) {
        this.text = text;
        this.tokens = tokens;
    }

    /** One pattern element; each matches exactly one code point, except {@link Star}. */
    private sealed interface Token {
    }

    private record Star() implements Token {
    }

    private record AnyChar() implements Token {
    }

    private record Literal(int codePoint) implements Token {
    }

    /** A bracket set: single code points and inclusive ranges, possibly negated. */
    private record CharSet(boolean negated, int[] singles, int[] rangeLows, int[] rangeHighs) implements Token {
        boolean contains(int c) {
            boolean in = false;
            for (int s : singles) {
                in |= s == c;
            }
            for (int i = 0; i < rangeLows.length && !in; i++) {
                in = rangeLows[i] <= c && c <= rangeHighs[i];
            }
            return in != negated;
        }
    }

    public static Glob compile(String glob) {
        int[] p = glob.codePoints().toArray();
        List<Token> tokens = new ArrayList<>();
        int i = 0;
        while (i < p.length) {
            int c = p[i++];
            if (c == '*') {
                if (tokens.isEmpty() || !(tokens.get(tokens.size() - 1) instanceof Star)) {
                    tokens.add(new Star());
                }
            } else if (c == '?') {
                tokens.add(new AnyChar());
            } else if (c == '[') {
                int j = i;
                if (j < p.length && p[j] == '!') {
                    j++;
                }
                if (j < p.length && p[j] == ']') {
                    j++;
                }
                while (j < p.length && p[j] != ']') {
                    j++;
                }
                if (j >= p.length) {
                    tokens.add(new Literal('['));
                } else {
                    tokens.add(charSet(p, i, j));
                    i = j + 1;
                }
            } else {
                tokens.add(new Literal(c));
            }
        }
        return new Glob(glob, List.copyOf(tokens));
    }

    /**
     * The set between {@code [} (before {@code from}) and {@code ]} (at {@code to}), split into chunks
     * at hyphens the way fnmatch.translate does: a hyphen joining two chunks makes a range from the
     * last character of one to the first of the next; a range whose ends are reversed is dropped
     * with both ends; every other character, hyphens included, stands for itself.
     */
    private static Token charSet(int[] p, int from, int to) {
        boolean negated = p[from] == '!';
        List<List<Integer>> chunks = new ArrayList<>();
        int start = from;
        int k = negated ? from + 2 : from + 1;
        while (true) {
            int dash = -1;
            for (int q = k; q < to; q++) {
                if (p[q] == '-') {
                    dash = q;
                    break;
                }
            }
            if (dash < 0) {
                break;
            }
            chunks.add(slice(p, start, dash));
            start = dash + 1;
            k = dash + 3;
        }
        List<Integer> last = slice(p, start, to);
        if (!last.isEmpty()) {
            chunks.add(last);
        } else {
            chunks.get(chunks.size() - 1).add((int) '-');
        }
        for (int c = chunks.size() - 1; c > 0; c--) {
            List<Integer> before = chunks.get(c - 1);
            List<Integer> after = chunks.get(c);
            if (before.get(before.size() - 1) > after.get(0)) {
                before.remove(before.size() - 1);
                before.addAll(after.subList(1, after.size()));
                chunks.remove(c);
            }
        }
        if (negated) {
            chunks.get(0).remove(0);
        }
        List<Integer> singles = new ArrayList<>();
        List<int[]> ranges = new ArrayList<>();
        for (int c = 0; c < chunks.size(); c++) {
            singles.addAll(chunks.get(c));
            if (c > 0) {
                List<Integer> before = chunks.get(c - 1);
                if (!before.isEmpty() && !chunks.get(c).isEmpty()) {
                    ranges.add(new int[] {before.get(before.size() - 1), chunks.get(c).get(0)});
                }
            }
        }
        int[] lows = new int[ranges.size()];
        int[] highs = new int[ranges.size()];
        for (int r = 0; r < ranges.size(); r++) {
            lows[r] = ranges.get(r)[0];
            highs[r] = ranges.get(r)[1];
        }
        return new CharSet(negated, singles.stream().mapToInt(Integer::intValue).toArray(), lows, highs);
    }

    private static List<Integer> slice(int[] p, int from, int to) {
        List<Integer> out = new ArrayList<>(Math.max(0, to - from));
        for (int q = from; q < to; q++) {
            out.add(p[q]);
        }
        return out;
    }

    public boolean matches(String name) {
        return match(name, new long[1]);
    }

    /** How many pattern-against-character steps matching {@code name} takes (for tests of the bound). */
    long steps(String name) {
        long[] steps = new long[1];
        match(name, steps);
        return steps[0];
    }

    private boolean match(String name, long[] steps) {
        int[] s = name.codePoints().toArray();
        int si = 0;
        int ti = 0;
        int starToken = -1;
        int starName = 0;
        while (si < s.length) {
            steps[0]++;
            if (ti < tokens.size() && !(tokens.get(ti) instanceof Star) && matchesOne(tokens.get(ti), s[si])) {
                si++;
                ti++;
            } else if (ti < tokens.size() && tokens.get(ti) instanceof Star) {
                starToken = ti++;
                starName = si;
            } else if (starToken >= 0) {
                // Let the last star take one more character and retry what follows it.
                ti = starToken + 1;
                si = ++starName;
            } else {
                return false;
            }
        }
        while (ti < tokens.size() && tokens.get(ti) instanceof Star) {
            ti++;
        }
        return ti == tokens.size();
    }

    private static boolean matchesOne(Token t, int c) {
        if (t instanceof Literal l) {
            return l.codePoint() == c;
        }
        if (t instanceof CharSet set) {
            return set.contains(c);
        }
        return t instanceof AnyChar;
    }

    @Override
    public String toString() { return text; }
}
