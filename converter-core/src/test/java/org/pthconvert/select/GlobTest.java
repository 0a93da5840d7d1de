package org.pthconvert.select;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

class GlobTest {

    /** Every case of glob-cases.tsv, which gen_glob_cases.py made with Python's fnmatch.fnmatchcase. */
    @Test
    void matchesExactlyAsFnmatchcase() throws IOException {
        List<String> wrong = new ArrayList<>();
        int cases = 0;
        try (InputStream in = GlobTest.class.getResourceAsStream("/select/glob-cases.tsv")) {
            String[] lines = new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n");
            for (int i = 1; i < lines.length; i++) {
                String[] f = lines[i].split("\t", -1);
                String pattern = unescape(f[0]);
                String name = unescape(f[1]);
                boolean want = Boolean.parseBoolean(f[2]);
                cases++;
                if (Glob.compile(pattern).matches(name) != want) {
                    wrong.add("pattern " + f[0] + " name " + f[1] + " want " + want);
                }
            }
        }
        assertTrue(cases > 2000, "cases: " + cases);
        assertEquals(List.of(), wrong);
    }

    /**
     * A name of 100,000 characters against a pattern that makes a regex backtrack: matching does at
     * most length x pattern steps, counted by the matcher, not measured on the clock.
     */
    @Test
    void longNamesCostLinearWork() {
        String name = "a".repeat(100_000);
        Glob g = Glob.compile("*a*a*a*a*a*a*a*a*b");
        assertFalse(g.matches(name));
        assertTrue(g.steps(name) <= 4L * name.length() * 17, "steps: " + g.steps(name));
        Glob h = Glob.compile("*a*a*a*a*a*a*a*a*");
        assertTrue(h.matches(name));
        assertTrue(h.steps(name) <= 2L * name.length(), "steps: " + h.steps(name));
    }

    private static String unescape(String s) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' && i + 1 < s.length()) {
                char n = s.charAt(++i);
                b.append(n == 't' ? '\t' : n == 'n' ? '\n' : n);
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }
}
