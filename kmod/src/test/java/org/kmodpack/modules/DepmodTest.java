package org.kmodpack.modules;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.kmodpack.testkernels.DebianKernels;
import org.kmodpack.testkernels.HardLinkedTree;
import org.kmodpack.testkernels.SyntheticKernel;
import org.kmodpack.testkernels.SyntheticKernels;

/**
 * Our depmod against kmod 30's on the same trees: every index file byte for byte (one line per file in the test
 * output), on the synthetic kernels of every ELF class and byte order, on Debian 12's kernels, and on trees made
 * here for what those lack: depmod.d rules, compressed modules, broken modules, modules outside modules.order.
 */
class DepmodTest {
    @TempDir
    Path work;

    private Path emptyConfig() throws IOException {
        return Files.createDirectories(work.resolve("depmod.d"));
    }

    @ParameterizedTest
    @EnumSource(value = SyntheticKernel.class, names = {"BASIC", "GZIP", "S390X", "POWERPC", "I686"})
    void syntheticKernelsWithSystemMapAndUnknownSymbolReports(SyntheticKernel kernel) throws IOException {
        Path source = SyntheticKernels.root(kernel);
        String kver = kernel.kernelVersion();
        Path root = work.resolve("root");
        HardLinkedTree.copy(source.resolve("lib/modules").resolve(kver), root, kver);
        Path systemMap = source.resolve("boot/System.map-" + kver);
        List<KmodProblem> mapProblems = new ArrayList<>();
        KernelSymbols symbols = KernelSymbols.fromSystemMap(systemMap.toString(), Files.readAllBytes(systemMap),
                DepmodOptions.NO_SYMBOL_PREFIX, mapProblems::add);
        DepmodComparison.Outcome outcome = DepmodComparison.compare(root, kver, emptyConfig(),
                List.of("-e", "-F", systemMap.toString()),
                DepmodComparison.options(emptyConfig(), kver, Optional.of(symbols), true));
        assertEquals(List.of(), mapProblems);
        assertEquals("", outcome.kmodErrors());
        assertEquals(List.of(), outcome.problems());
    }

    @ParameterizedTest
    @ValueSource(strings = {"cloud", "amd64"})
    void debianKernels(String flavour) throws IOException {
        Path moduleDir = DebianKernels.moduleDir(flavour);
        String kver = moduleDir.getFileName().toString();
        Path root = work.resolve("root");
        HardLinkedTree.copy(moduleDir, root, kver);
        DepmodComparison.compare(root, kver, emptyConfig(), List.of(),
                DepmodComparison.options(emptyConfig(), kver, Optional.empty(), false));
    }

    /**
     * A tree assembled by hand has no modules.builtin, modules.builtin.modinfo or modules.order: depmod warns,
     * writes modules.builtin.bin and modules.builtin.alias.bin empty (not even a header), and kmod finds nothing
     * in them; so do we.
     */
    @Test
    void aTreeWithoutModulesBuiltinGetsEmptyBuiltinIndexes() throws IOException {
        Path moduleDir = basicCopy();
        for (String name : List.of("modules.builtin", "modules.builtin.modinfo", "modules.order")) {
            Files.delete(moduleDir.resolve(name));
        }
        String kver = SyntheticKernel.BASIC.kernelVersion();
        DepmodComparison.Outcome outcome = DepmodComparison.compare(work.resolve("root"), kver, emptyConfig(),
                List.of(), DepmodComparison.options(emptyConfig(), kver, Optional.empty(), false));
        assertTrue(outcome.kmodErrors().contains("could not open modules.builtin at"), outcome.kmodErrors());
        for (String name : List.of("modules.builtin.bin", "modules.builtin.alias.bin")) {
            assertEquals(0, outcome.kmod().get(name).length, name);
            assertEquals(List.of(), DepmodBin.read(moduleDir.resolve(name)), name);
        }
    }

    private Path basicCopy() throws IOException {
        SyntheticKernel kernel = SyntheticKernel.BASIC;
        Path root = work.resolve("root");
        return HardLinkedTree.copy(SyntheticKernels.moduleDir(kernel), root, kernel.kernelVersion());
    }

    private static void place(Path moduleDir, String from, String to) throws IOException {
        Path target = moduleDir.resolve(to);
        Files.createDirectories(target.getParent());
        Files.copy(moduleDir.resolve(from), target);
    }

    /**
     * search ranks (first entry highest, "built-in" for every path no entry names), an override for this kernel
     * beating every rank, one for another kernel ignored, excluded directories, a line depmod refuses.
     */
    @Test
    void depmodDirectorySearchOverrideAndExclude() throws IOException {
        Path moduleDir = basicCopy();
        String kver = SyntheticKernel.BASIC.kernelVersion();
        place(moduleDir, "kernel/drivers/misc/standalone.ko", "vendor/standalone.ko");
        place(moduleDir, "kernel/drivers/misc/standalone.ko", "extra/late/standalone.ko");
        place(moduleDir, "kernel/lib/chain/chain_d.ko", "extra2/chain_d.ko");
        place(moduleDir, "kernel/fs/fuse/fuse_lite.ko.xz", "extra3/fuse_lite.ko.xz");
        place(moduleDir, "kernel/drivers/misc/weak_user.ko", "skipme/weak_user.ko");
        place(moduleDir, "kernel/drivers/misc/standalone.ko", "deep/skipme/hidden_one.ko");
        place(moduleDir, "kernel/drivers/misc/standalone.ko", "also-skipped/hidden_two.ko");
        Path config = Files.createDirectories(work.resolve("depmod.d"));
        Files.writeString(config.resolve("10-search.conf"), "# order\nsearch vendor updates built-in\\\n extra\n"
                + "search extra3\nexclude skipme   also-skipped\n", StandardCharsets.UTF_8);
        Files.writeString(config.resolve("20-override.conf"), "override chain_d " + kver.replace(".", "\\.")
                + " extra2\noverride fuse_lite ^5\\. extra3\nfrobnicate all\noverride incomplete\n",
                StandardCharsets.UTF_8);
        Files.writeString(config.resolve("README"), "search nothing\n", StandardCharsets.UTF_8);
        DepmodComparison.Outcome outcome = DepmodComparison.compare(moduleDir.getParent().getParent().getParent(),
                kver, config, List.of(), DepmodComparison.options(config, kver, Optional.empty(), false));
        String dep = new String(outcome.ours().get("modules.dep"), StandardCharsets.UTF_8);
        assertTrue(dep.contains("\nvendor/standalone.ko:") && dep.contains("\nextra2/chain_d.ko:")
                && dep.contains("kernel/fs/fuse/fuse_lite.ko.xz:") && !dep.contains("hidden_")
                && !dep.contains("skipme"), dep);
        assertTrue(outcome.kmodErrors().contains("20-override.conf:3: ignoring bad line starting with 'frobnicate'")
                && outcome.kmodErrors().contains("20-override.conf:4: ignoring bad line starting with 'override'"),
                outcome.kmodErrors());
    }

    /** Files that are no modules: kmod lists them with no dependencies and says why it could not read them. */
    @Test
    void brokenModulesAreListedWithoutSymbolsAndReported() throws IOException {
        Path moduleDir = basicCopy();
        String kver = SyntheticKernel.BASIC.kernelVersion();
        Path broken = Files.createDirectories(moduleDir.resolve("kernel/broken"));
        byte[] real = Files.readAllBytes(moduleDir.resolve("kernel/drivers/misc/standalone.ko"));
        byte[] garbage = new byte[300];
        new java.util.Random(13).nextBytes(garbage);
        Files.write(broken.resolve("garbage.ko"), garbage);
        Files.write(broken.resolve("empty.ko"), new byte[0]);
        Files.write(broken.resolve("tiny.ko"), new byte[] {0x7F, 'E', 'L', 'F', 2, 1, 1});
        Files.write(broken.resolve("truncated.ko"), java.util.Arrays.copyOf(real, 100));
        Files.write(broken.resolve("bad-class.ko"), withByte(real, 4, 7));
        Files.write(broken.resolve("not-elf.ko.zst"), compress("zstd", "just text\n".getBytes(StandardCharsets.UTF_8)));
        byte[] xz = compress("xz", real);
        Files.write(broken.resolve("corrupt.ko.xz"), java.util.Arrays.copyOf(xz, xz.length / 2));
        Files.write(broken.resolve("gzipped.ko.gz"), compress("gzip", real));
        Path config = emptyConfig();
        DepmodComparison.Outcome outcome = DepmodComparison.compare(moduleDir.getParent().getParent().getParent(),
                kver, config, List.of(), DepmodComparison.options(config, kver, Optional.empty(), false));
        List<String> unreadable = new ArrayList<>();
        for (KmodProblem problem : outcome.problems()) {
            if (problem.kind() == KmodProblem.Kind.MODULE_UNREADABLE) {
                unreadable.add(problem.subject());
            }
        }
        assertEquals(List.of("kernel/broken/garbage.ko", "kernel/broken/empty.ko", "kernel/broken/tiny.ko",
                "kernel/broken/truncated.ko", "kernel/broken/bad-class.ko", "kernel/broken/not-elf.ko.zst",
                "kernel/broken/corrupt.ko.xz").stream().sorted().toList(), unreadable.stream().sorted().toList());
        assertEquals(unreadable.size(), outcome.kmodErrors().lines().filter(l -> l.contains("failed to load symbols"))
                .count(), outcome.kmodErrors());
    }

    /** Without modules.order, or with one depmod refuses (last line unterminated): kmod's table order alone. */
    @ParameterizedTest
    @ValueSource(strings = {"absent", "unterminated", "partial"})
    void modulesOutsideModulesOrder(String order) throws IOException {
        Path moduleDir = basicCopy();
        String kver = SyntheticKernel.BASIC.kernelVersion();
        Path orderFile = moduleDir.resolve("modules.order");
        List<String> lines = Files.readAllLines(orderFile);
        Files.delete(orderFile);
        switch (order) {
            case "unterminated" -> Files.writeString(orderFile, String.join("\n", lines));
            case "partial" -> Files.writeString(orderFile, String.join("\n", lines.subList(0, lines.size() / 2))
                    + "\n\nkernel/not/there.ko\n" + lines.get(0) + "\n");
            default -> {
            }
        }
        Path config = emptyConfig();
        DepmodComparison.compare(moduleDir.getParent().getParent().getParent(), kver, config, List.of(),
                DepmodComparison.options(config, kver, Optional.empty(), false));
    }

    private static byte[] withByte(byte[] bytes, int at, int value) {
        byte[] changed = bytes.clone();
        changed[at] = (byte) value;
        return changed;
    }

    private byte[] compress(String tool, byte[] contents) throws IOException {
        Path in = Files.createTempFile(work, "in", ".bin");
        Files.write(in, contents);
        ProcessBuilder builder = new ProcessBuilder(tool, "-c", in.toString()).redirectError(
                ProcessBuilder.Redirect.INHERIT);
        Process process = builder.start();
        byte[] out = process.getInputStream().readAllBytes();
        try {
            assertEquals(0, process.waitFor(), tool);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
        return out;
    }
}
