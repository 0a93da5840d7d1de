package org.pthconvert.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

/**
 * The oracle of {@code scan}, in the interop stage: {@code cli/src/test/python/oracle.py} runs torch's own
 * loader over the hostile corpus, its fuzz regressions and a fixed, seeded family of mutants, with an
 * unpickler that imports nothing and records every global torch would import and every call it would
 * make; then one {@code pthconvert scan --json} over all of them must cover what it recorded (never
 * {@code safe} where torch would import off the plain list, {@code dangerous} wherever torch would
 * import or call a code-running callable). Like {@link InteropIT} it uses the venv of
 * {@code testdata/venv.sh} and fails loudly without it. More mutants: {@code -Dpthconvert.oracle.mutants=N}.
 */
class OracleIT {

    private static final Duration VENV_TIMEOUT = Duration.ofMinutes(15);
    private static final Duration SUITE_TIMEOUT = Duration.ofMinutes(10);
    private static final Pattern SUMMARY = Pattern.compile("^(\\d+) passed, (\\d+) failed$");

    @Test
    void scanCoversWhatTorchLoadWouldDo() throws Exception {
        Path root = LaunchedCli.root();
        Path jar = LaunchedCli.jar();
        Map<String, String> env = Map.of("PTHCONVERT_JAR", jar.toString());

        List<String> venvLog = Collections.synchronizedList(new ArrayList<>());
        int venv = LaunchedCli.stream(List.of("bash", root.resolve("testdata/venv.sh").toString()), root, env,
                VENV_TIMEOUT, venvLog::add);
        if (venv != 0) {
            fail("testdata/venv.sh could not make the Python venv the oracle needs (exit " + venv + "):\n  "
                    + String.join("\n  ", venvLog));
        }
        String venvDir = System.getenv("PTHCONVERT_VENV");
        Path python = (venvDir != null && !venvDir.isBlank() ? Path.of(venvDir) : root.resolve(".venv"))
                .resolve("bin/python");
        assertTrue(Files.isExecutable(python), "testdata/venv.sh succeeded but " + python + " is not executable");

        Path work = LaunchedCli.freshWork("oracle");
        String mutants = System.getProperty("pthconvert.oracle.mutants", "80");
        List<String> failures = Collections.synchronizedList(new ArrayList<>());
        List<String> summary = Collections.synchronizedList(new ArrayList<>());
        List<String> cmd = List.of(python.toString(), root.resolve("cli/src/test/python/oracle.py").toString(),
                "--root", root.toString(), "--launcher", LaunchedCli.bin("pthconvert").toString(),
                "--work", work.toString(), "--mutants", mutants);
        System.out.println("[oracle] " + String.join(" ", cmd));
        long start = System.nanoTime();
        int rc = LaunchedCli.stream(cmd, root, env, SUITE_TIMEOUT, line -> {
            if (!line.startsWith("PASS ")) {
                System.out.println("[oracle] " + line);
            }
            if (line.startsWith("FAIL ")) {
                failures.add(line);
            }
            if (SUMMARY.matcher(line).matches()) {
                summary.add(line);
            }
        });
        System.out.printf("[oracle] finished in %.1f s%n", (System.nanoTime() - start) / 1e9);
        if (rc < 0) {
            fail("oracle.py timed out after " + SUITE_TIMEOUT.toMinutes() + " min; failures so far:\n  "
                    + String.join("\n  ", failures));
        }
        String last = summary.isEmpty() ? "(no 'N passed, M failed' line)" : summary.get(summary.size() - 1);
        if (rc != 0 || !failures.isEmpty()) {
            fail("oracle.py: " + last + " (exit " + rc + ")\n  " + String.join("\n  ", failures));
        }
        Matcher m = SUMMARY.matcher(last);
        assertTrue(m.matches(), "oracle.py exited 0 without its summary line");
        assertEquals("0", m.group(2), last);
        assertTrue(Integer.parseInt(m.group(1)) > 60, "oracle.py checked too little: " + last);
    }
}
