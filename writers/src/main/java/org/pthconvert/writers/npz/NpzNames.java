package org.pthconvert.writers.npz;

import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import org.pthconvert.errors.CheckpointException;
import org.pthconvert.tensor.TensorSpec;
import org.pthconvert.writers.CodePoints;
import org.pthconvert.writers.WriterFailures;

/**
 * Which tensor names survive the trip through an .npz. The member is {@code name + ".npy"}, and
 * {@code np.load} gives back the member name minus {@code .npy} as the key; Python's zipfile cuts a
 * name at NUL and, on Windows, turns {@code \} into {@code /}. A name is refused when the key would
 * differ, or when the member could land outside the archive on extraction ({@code /...},
 * {@code ..}, a drive letter); {@code x} and {@code x.npy} are refused together because
 * {@code npz['x.npy']} would return {@code x}.
 */
final class NpzNames {

    static final String SUFFIX = ".npy";
    private static final int MAX_NAME_BYTES = 0xFFFF;
    private static final String TOO_LONG = "the name is longer than a zip entry name can be (65535 bytes with .npy)";

    private NpzNames() {
    }

    static String member(String name) {
        return name + SUFFIX;
    }

    /** {@link #member}'s UTF-8 bytes, made without the member's string (one array per tensor, not three). */
    static byte[] memberBytes(String name) {
        if (!CodePoints.isAscii(name)) {
            return member(name).getBytes(StandardCharsets.UTF_8);
        }
        int n = name.length();
        byte[] out = new byte[n + SUFFIX.length()];
        for (int i = 0; i < n; i++) {
            out[i] = (byte) name.charAt(i);
        }
        for (int i = 0; i < SUFFIX.length(); i++) {
            out[n + i] = (byte) SUFFIX.charAt(i);
        }
        return out;
    }

    /** Why this name cannot be a key, or empty. */
    static Optional<String> refuse(String name) {
        // Most names are ASCII without '/', ':', '\\' or NUL, which no rule below can refuse but for
        // their length: one pass over the characters (this runs twice per tensor) decides.
        if (plain(name)) {
            return name.length() + SUFFIX.length() > MAX_NAME_BYTES ? Optional.of(TOO_LONG) : Optional.empty();
        }
        if (!CodePoints.isWellFormed(name)) {
            return Optional.of(CodePoints.NO_UTF8_FORM);
        }
        if (name.indexOf('\0') >= 0) {
            return Optional.of("the name holds a NUL character, where zip readers cut it short");
        }
        if (name.indexOf('\\') >= 0) {
            return Optional.of("the name holds a backslash, which zip readers on Windows turn into '/'");
        }
        // The member is name + ".npy"; it is checked through the name, without being made. Its first
        // two characters are the name's whenever a drive letter could be.
        if (name.startsWith("/")) {
            return Optional.of("the name starts with '/', an absolute path in the archive");
        }
        if (name.length() >= 2 && name.charAt(1) == ':' && Character.isLetter(name.charAt(0))) {
            return Optional.of("the name starts with a drive letter, an absolute path on Windows");
        }
        // Every segment but the last is the name's; the last ends in ".npy", never "." or "..".
        int start = 0;
        for (int slash = name.indexOf('/'); slash >= 0; slash = name.indexOf('/', start)) {
            int n = slash - start;
            if (n == 1 && name.charAt(start) == '.' || n == 2 && name.startsWith("..", start)) {
                return Optional.of("the name has a '" + name.substring(start, slash)
                        + "' path segment, which could escape the archive");
            }
            start = slash + 1;
        }
        if (CodePoints.utf8Length(name) + SUFFIX.length() > MAX_NAME_BYTES) {
            return Optional.of(TOO_LONG);
        }
        return Optional.empty();
    }

    /** ASCII, and none of the characters the rules of {@link #refuse} look at. */
    private static boolean plain(String name) {
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c >= 0x80 || c == 0 || c == '/' || c == ':' || c == '\\') {
                return false;
            }
        }
        return true;
    }

    /** Fails on two names {@code np.load} would confuse: {@code x} and {@code x.npy}. */
    static void checkCollisions(List<TensorSpec> specs) throws CheckpointException {
        // Only a name ending in ".npy" can shadow another; most checkpoints have none.
        boolean any = false;
        for (int i = 0; i < specs.size() && !any; i++) {
            any = specs.get(i).name().endsWith(SUFFIX);
        }
        if (!any) {
            return;
        }
        Set<String> names = new HashSet<>();
        for (TensorSpec s : specs) {
            names.add(s.name());
        }
        Set<String> shadowed = new HashSet<>();
        for (TensorSpec s : specs) {
            String n = s.name();
            if (n.endsWith(SUFFIX)) {
                String base = n.substring(0, n.length() - SUFFIX.length());
                if (names.contains(base)) {
                    shadowed.add(base);
                }
            }
        }
        if (shadowed.isEmpty()) {
            return;
        }
        for (TensorSpec s : specs) {
            String shadowing = member(s.name());
            if (shadowed.contains(s.name())) {
                String name = CheckpointException.shown(s.name());
                String member = CheckpointException.shown(shadowing);
                throw WriterFailures.unsupported(shadowing, "np.load would confuse it with tensor '" + name
                        + "': member '" + member + "' holds '" + name + "', so npz['" + member
                        + "'] returns '" + name + "'; rename one of them");
            }
        }
    }
}
