package org.pthconvert.safety;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;

/**
 * {@link GlobalPolicy#runsCode} against a plain reading of its rule (every tail of a dotted name, and
 * every package above each, looked up as they are), and the work it may take on a long name: linear in
 * the name's length, counted in bytes allocated, not in time.
 */
class GlobalPolicyTest {

    /** The rule read plainly: split the name, join every tail, try every prefix of each. */
    private static boolean plainRunsCode(String module, String name) {
        String global = module + "." + name;
        if (GlobalPolicy.CODE_CALLABLES.contains(global) || plainInCodeModule(global)) {
            return true;
        }
        if (name.indexOf('.') < 0) {
            return false;
        }
        String[] parts = name.split("\\.", -1);
        if (GlobalPolicy.CODE_NAMES.contains(parts[parts.length - 1])) {
            return true;
        }
        for (int i = 0; i < parts.length - 1; i++) {
            String tail = String.join(".", Arrays.copyOfRange(parts, i, parts.length));
            if (GlobalPolicy.CODE_CALLABLES.contains(tail) || plainInCodeModule(tail)
                    || GlobalPolicy.CODE_CALLABLES.contains("builtins." + tail)) {
                return true;
            }
        }
        return false;
    }

    private static boolean plainInCodeModule(String global) {
        for (int i = global.lastIndexOf('.'); i > 0; i = global.lastIndexOf('.', i - 1)) {
            if (GlobalPolicy.CODE_MODULES.contains(global.substring(0, i))) {
                return true;
            }
        }
        return false;
    }

    /** Parts that make names the lists know, and names next to them. */
    private static List<String> vocabulary() {
        List<String> words = new ArrayList<>(List.of("", "a", "X", "torch", "collections", "OrderedDict", "__main__",
                "builtins", "__builtin__", "numpy", "_utils", "_rebuild_tensor_v2", "path", "system", "os2", "o",
                "torchvision", "utils", "hub", "_dynamo2", "FloatStorage", "__import__"));
        for (var list : List.of(GlobalPolicy.CODE_MODULES, GlobalPolicy.CODE_CALLABLES, GlobalPolicy.CODE_NAMES)) {
            for (String entry : list) {
                words.add(entry);
                words.addAll(Arrays.asList(entry.split("\\.", -1)));
            }
        }
        return words;
    }

    private static String dotted(List<String> words, Random r, int maxParts) {
        int n = 1 + r.nextInt(maxParts);
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < n; i++) {
            if (i > 0) {
                b.append('.');
            }
            b.append(words.get(r.nextInt(words.size())));
        }
        return b.toString();
    }

    @Test
    void everyTailAndPackageIsJudgedAsThePlainRuleJudgesIt() {
        List<String> words = vocabulary();
        Random r = new Random(20261203L);
        int dangerous = 0;
        for (int i = 0; i < 200_000; i++) {
            String module = dotted(words, r, 3);
            String name = dotted(words, r, 6);
            boolean want = plainRunsCode(module, name);
            assertEquals(want, GlobalPolicy.runsCode(module, name), module + " / " + name);
            dangerous += want ? 1 : 0;
        }
        // Both outcomes are common, so the comparison says something about each.
        assertTrue(dangerous > 20_000 && dangerous < 180_000, "dangerous " + dangerous + " of 200,000");
    }

    @Test
    void everyListedEntryIsFoundAtEveryDepth() {
        for (String m : GlobalPolicy.CODE_MODULES) {
            assertTrue(GlobalPolicy.runsCode(m, "anything"), m);
            assertTrue(GlobalPolicy.runsCode("torch", "a." + m + ".anything"), m);
        }
        for (String c : GlobalPolicy.CODE_CALLABLES) {
            int dot = c.lastIndexOf('.');
            assertTrue(GlobalPolicy.runsCode(c.substring(0, dot), c.substring(dot + 1)), c);
            assertTrue(GlobalPolicy.runsCode("collections", "x.y." + c), c);
        }
        assertFalse(GlobalPolicy.runsCode("torch._utils", "_rebuild_tensor_v2"));
        assertFalse(GlobalPolicy.runsCode("collections", "OrderedDict"));
    }

    /**
     * Names shaped as the fuzzer's mutants that took minutes (a GLOBAL of 2,000-3,500 dots), and others
     * shaped to reach the deepest look-ups, 3,000 and 100,000 parts long: the work is linear in the
     * name's length.
     */
    @Test
    void longDottedNamesTakeWorkLinearInTheirLength() {
        // 3,000 parts first: the cubic reading fails there in seconds, on its allocation, not its time.
        for (int parts : new int[] {3_000, 100_000}) {
            judgedWithLinearWork(parts);
        }
    }

    private static void judgedWithLinearWork(int parts) {
        List<String[]> globals = List.of(
                new String[] {"__main__", "X" + ".".repeat(parts)},
                new String[] {"torch", "FloatStor" + ".".repeat(parts)},
                new String[] {"pytorch_lightning.callbacks.model_checkpoint", "ModelCheckp" + ".".repeat(parts) + "x"},
                new String[] {"__main__", "a.".repeat(parts) + "b"},
                new String[] {"__main__", "torch.".repeat(parts) + "x"},
                new String[] {"__main__", "builtins.".repeat(parts) + "x"},
                new String[] {"torch.".repeat(parts) + "x", "torch.".repeat(parts) + "x"},
                new String[] {"__main__", "a.".repeat(parts) + "os.system"});
        for (String[] g : globals) {
            long length = g[0].length() + g[1].length();
            long before = allocated();
            boolean runs = GlobalPolicy.runsCode(g[0], g[1]);
            long used = allocated() - before;
            // About 20-50 bytes per character here; the cubic reading made terabytes of these.
            String what = head(g[0]) + " / " + head(g[1]) + " (" + length + " chars)";
            assertTrue(used < 100 * length + (1 << 20), what + " allocated " + used + " bytes");
            assertEquals(g[1].endsWith("os.system"), runs, what);
        }
    }

    private static String head(String s) {
        return s.length() <= 12 ? s : s.substring(0, 12) + "...";
    }

    private static long allocated() {
        if (ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean m) {
            return m.getThreadAllocatedBytes(Thread.currentThread().getId());
        }
        throw new IllegalStateException("no per-thread allocation counter on this JVM");
    }
}
