package org.kmodpack.modules;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import org.kmodpack.testkernels.Kmod;

/**
 * Runs kmod's depmod and ours on the same module tree and compares every index file byte for byte, printing one
 * line per file, on a {@link org.kmodpack.testkernels.HardLinkedTree} copy of the tree.
 */
final class DepmodComparison {
    /** What one run gave: kmod's files and stderr, ours and our problems. */
    record Outcome(Map<String, byte[]> kmod, String kmodErrors, Map<String, byte[]> ours, List<KmodProblem> problems) {
    }

    private DepmodComparison() {
    }

    /**
     * Runs both on ROOT/lib/modules/KVER with the same arguments: {@code configDir} as -C (never the host's
     * configuration), and {@code extra} (-e, -F FILE, -E FILE) as kmod's; then asserts every file is equal.
     */
    static Outcome compare(Path root, String kernelVersion, Path configDir, List<String> extra,
            DepmodOptions options) throws IOException {
        Path moduleDir = root.resolve("lib/modules").resolve(kernelVersion);
        List<String> command = new ArrayList<>(List.of("depmod", "-b", root.toString(), "-C", configDir.toString()));
        command.addAll(extra);
        command.add(kernelVersion);
        Kmod.Result result = Kmod.run(command);
        assertEquals(0, result.exit(), "kmod's depmod failed: " + result.err());
        Map<String, byte[]> kmod = new LinkedHashMap<>();
        for (String name : Depmod.INDEX_FILES) {
            kmod.put(name, Files.readAllBytes(moduleDir.resolve(name)));
        }
        assertTrue(Files.notExists(moduleDir.resolve("modules.weakdep"), LinkOption.NOFOLLOW_LINKS),
                "kmod 30 writes no modules.weakdep");
        List<KmodProblem> problems = new ArrayList<>();
        Consumer<KmodProblem> collect = problems::add;
        DirectoryModuleTree tree = DirectoryModuleTree.scan(moduleDir, options.config()::excludes);
        Map<String, byte[]> ours = Depmod.run(tree, options, collect);
        assertEquals(Depmod.INDEX_FILES, List.copyOf(ours.keySet()));
        List<String> different = new ArrayList<>();
        for (String name : Depmod.INDEX_FILES) {
            byte[] theirs = kmod.get(name);
            byte[] mine = ours.get(name);
            boolean same = java.util.Arrays.equals(theirs, mine);
            System.out.printf("depmod %s %-26s kmod %9d bytes, ours %9d bytes: %s%n", kernelVersion, name,
                    theirs.length, mine.length, same ? "identical" : "DIFFERENT at byte " + mismatch(theirs, mine));
            if (!same) {
                different.add(name);
            }
        }
        assertEquals(List.of(), different, "index files that differ from kmod's for " + moduleDir);
        return new Outcome(kmod, result.err(), ours, problems);
    }

    static DepmodOptions options(Path configDir, String kernelVersion, Optional<KernelSymbols> symbols, boolean report) {
        List<KmodProblem> ignored = new ArrayList<>();
        return new DepmodOptions(DepmodConfig.load(List.of(configDir), kernelVersion, ignored::add), symbols, report);
    }

    private static long mismatch(byte[] a, byte[] b) {
        return java.util.Arrays.mismatch(a, b);
    }
}
