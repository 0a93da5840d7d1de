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

    private NpzNames() {
    }

    static String member(String name) {
        return name + SUFFIX;
    }

    /** Why this name cannot be a key, or empty. */
    static Optional<String> refuse(String name) {
        if (!CodePoints.isWellFormed(name)) {
            return Optional.of("the name is not valid Unicode (an unpaired surrogate); it has no UTF-8 form");
        }
        if (name.indexOf('\0') >= 0) {
            return Optional.of("the name holds a NUL character, where zip readers cut it short");
        }
        if (name.indexOf('\\') >= 0) {
            return Optional.of("the name holds a backslash, which zip readers on Windows turn into '/'");
        }
        String member = member(name);
        if (member.startsWith("/")) {
            return Optional.of("the name starts with '/', an absolute path in the archive");
        }
        if (member.length() >= 2 && member.charAt(1) == ':' && Character.isLetter(member.charAt(0))) {
            return Optional.of("the name starts with a drive letter, an absolute path on Windows");
        }
        for (String segment : member.split("/", -1)) {
            if (segment.equals("..") || segment.equals(".")) {
                return Optional.of("the name has a '" + segment + "' path segment, which could escape the archive");
            }
        }
        if (member.getBytes(StandardCharsets.UTF_8).length > MAX_NAME_BYTES) {
            return Optional.of("the name is longer than a zip entry name can be (65535 bytes with .npy)");
        }
        return Optional.empty();
    }

    /** Fails on two names {@code np.load} would confuse: {@code x} and {@code x.npy}. */
    static void checkCollisions(List<TensorSpec> specs) throws CheckpointException {
        Set<String> names = new HashSet<>();
        for (TensorSpec s : specs) {
            names.add(s.name());
        }
        for (TensorSpec s : specs) {
            String shadowing = member(s.name());
            if (names.contains(shadowing)) {
                throw WriterFailures.unsupported(shadowing, "np.load would confuse it with tensor '" + s.name()
                        + "': member '" + shadowing + "' holds '" + s.name() + "', so npz['" + shadowing
                        + "'] returns '" + s.name() + "'; rename one of them");
            }
        }
    }
}
