package org.pthconvert.writers.batch;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import org.pthconvert.errors.InvalidRequestException;

/**
 * Where each input's output goes, as pure functions on relative path strings with {@code /}
 * separators, so the same rules serve local files and Hadoop paths (the Spark job).
 *
 * <p>{@code resnet/a.pth} becomes {@code resnet/a.safetensors}; with an output that is a folder
 * (sharded), {@code resnet/a}. A name is never absolute and never climbs ({@code ..}), so it always
 * resolves inside the output root.
 */
public final class OutputNames {

    /** The default {@code --pattern}. */
    public static final List<String> DEFAULT_PATTERNS = List.of("*.pth", "*.pt", "*.bin", "*.ckpt");

    private OutputNames() {
    }

    /**
     * The output of one input, relative to the output root.
     *
     * @param relativeInput the input relative to the folder it was found in ({@code resnet/a.pth})
     * @param extension     the writer's extension with its dot ({@code .safetensors})
     * @param directory     the writer makes a folder: the output is the stem, no extension
     * @throws InvalidRequestException for a name that is empty, absolute or climbs out of its root
     */
    public static String outputFor(String relativeInput, String extension, boolean directory) {
        List<String> segments = segments(relativeInput);
        String last = segments.remove(segments.size() - 1);
        int dot = last.lastIndexOf('.');
        String stem = dot > 0 ? last.substring(0, dot) : last;
        segments.add(directory ? stem : stem + extension);
        return String.join("/", segments);
    }

    /**
     * The segments of a relative name, checked: no empty name, no leading {@code /}, no {@code .}
     * or {@code ..} segment, no backslash or NUL (which another platform would read as a separator
     * or end).
     */
    public static List<String> segments(String relative) {
        if (relative == null || relative.isEmpty()) {
            throw new InvalidRequestException("an input has an empty relative name");
        }
        if (relative.startsWith("/")) {
            throw new InvalidRequestException("'" + relative + "' is absolute; output names must stay inside the "
                    + "output folder");
        }
        List<String> out = new ArrayList<>();
        for (String s : relative.split("/", -1)) {
            if (s.isEmpty() || s.equals(".") || s.equals("..") || s.indexOf('\\') >= 0 || s.indexOf('\0') >= 0) {
                throw new InvalidRequestException("'" + relative + "' is not a plain relative name (segment '" + s
                        + "'); output names must stay inside the output folder");
            }
            out.add(s);
        }
        return out;
    }

    /**
     * True when {@code fileName} matches one of the patterns ({@code *} any run of characters, {@code ?}
     * one character; compared ignoring case, as {@code .PTH} files are as common as {@code .pth}).
     */
    public static boolean matches(String fileName, List<String> patterns) {
        String name = fileName.toLowerCase(Locale.ROOT);
        for (String p : patterns) {
            if (glob(p.toLowerCase(Locale.ROOT), name)) {
                return true;
            }
        }
        return false;
    }

    /** {@code *.pth,*.pt} as a list, blanks dropped. */
    public static List<String> parsePatterns(String commaSeparated) {
        List<String> out = new ArrayList<>();
        for (String p : commaSeparated.split(",")) {
            if (!p.isBlank()) {
                out.add(p.strip());
            }
        }
        if (out.isEmpty()) {
            throw new InvalidRequestException("the pattern '" + commaSeparated + "' names no file pattern");
        }
        return out;
    }

    /** Iterative glob with backtracking to the last star: linear in practice, no recursion. */
    private static boolean glob(String p, String s) {
        int pi = 0;
        int si = 0;
        int star = -1;
        int mark = 0;
        while (si < s.length()) {
            if (pi < p.length() && p.charAt(pi) == '*') {
                star = pi++;
                mark = si;
            } else if (pi < p.length() && (p.charAt(pi) == '?' || p.charAt(pi) == s.charAt(si))) {
                pi++;
                si++;
            } else if (star >= 0) {
                pi = star + 1;
                si = ++mark;
            } else {
                return false;
            }
        }
        while (pi < p.length() && p.charAt(pi) == '*') {
            pi++;
        }
        return pi == p.length();
    }
}
