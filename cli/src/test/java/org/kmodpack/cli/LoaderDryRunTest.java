package org.kmodpack.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.kmodpack.cli.KmodOracle.compare;
import static org.kmodpack.cli.KmodOracle.compareChunks;
import static org.kmodpack.cli.KmodOracle.concat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.kmodpack.testkernels.DebianKernels;
import org.kmodpack.testkernels.SyntheticKernel;
import org.kmodpack.testkernels.SyntheticKernels;

/**
 * Loading and removing without touching the kernel: {@code modprobe -n -v} and {@code modprobe -r -n -v} print
 * what kmod 30 prints for the unpacked tree, byte for byte, with this host's /sys/module deciding what counts
 * as loaded for both. Nothing here loads a module: the host kernel is not the bundle's.
 */
class LoaderDryRunTest {
    private static final int CHUNK = 400;

    @TempDir
    Path work;

    static Stream<Arguments> trees() {
        return Stream.of(Arguments.of("BASIC"), Arguments.of("debian-cloud"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("trees")
    void dryRunsPrintWhatKmodPrints(String treeName) throws IOException {
        Path moduleDir = treeName.equals("debian-cloud") ? DebianKernels.moduleDir("cloud")
                : SyntheticKernels.moduleDir(SyntheticKernel.valueOf(treeName));
        Path root = moduleDir.getParent().getParent().getParent();
        String kver = moduleDir.getFileName().toString();
        Path bundle = work.resolve("tree.kpack");
        CliTest.Run pack = CliTest.run("pack", moduleDir.toString(), "-o", bundle.toString());
        assertEquals(0, pack.exit(), pack.err());

        List<String> modules = KmodComparisonTest.modules(moduleDir);
        List<String> names = new ArrayList<>(modules);
        names.addAll(KmodComparisonTest.builtins(moduleDir));
        names.addAll(List.of("no-such-module", "my-alias", "only-a-command"));
        Path config = config(modules);
        List<String> kmod = List.of("modprobe", "-d", root.toString(), "-S", kver);
        List<String> ours = List.of("modprobe", bundle.toString(), "-d", root.toString(), "--allow-unsigned");
        for (List<String> cfg : List.of(List.<String>of(), List.of("-C", config.toString()))) {
            // None of the tree's modules is loaded here: --first-time changes -r's answer, -f no line.
            for (List<String> mode : List.of(List.of("-n", "-v", "-a"), List.of("-n", "-v", "-a", "-b"),
                    List.of("-r", "-n", "-v"), List.of("-n", "-v", "-a", "-f", "--first-time"),
                    List.of("-r", "-n", "-v", "--first-time"), List.of("-n", "-v", "-a", "-i"),
                    List.of("-r", "-n", "-v", "-i"), List.of("-r", "-n", "-v", "--remove-holders", "-w", "100"))) {
                compareChunks(concat(kmod, cfg, mode), concat(ours, cfg, mode), names, CHUNK);
            }
            List<String> single = List.of("-n", "-v", modules.get(0), "a=1", "b=x y");
            compare(concat(kmod, cfg, single), concat(ours, cfg, single));
        }
    }

    /** Aliases, options, softdeps, install and remove commands (printed, never run, under -n), a blacklist. */
    private Path config(List<String> modules) throws IOException {
        String m0 = modules.get(0);
        String m1 = modules.get(1 % modules.size());
        String m2 = modules.get(2 % modules.size());
        String m3 = modules.get(3 % modules.size());
        Path dir = Files.createDirectories(work.resolve("modprobe.d"));
        Files.writeString(dir.resolve("test.conf"), String.join("\n",
                "alias my-alias " + m0,
                "options " + m0 + " opt0=1",
                "softdep " + m0 + " pre: " + m1 + " post: " + m2,
                "install " + m3 + " /bin/true $CMDLINE_OPTS",
                "install only-a-command /bin/true",
                "remove " + m1 + " /bin/true",
                "blacklist " + m2,
                ""));
        return dir;
    }

    @Test
    void anUnsignedBundleLoadsNothingWithoutAllowUnsigned() throws IOException {
        Path moduleDir = SyntheticKernels.moduleDir(SyntheticKernel.BASIC);
        Path bundle = work.resolve("unsigned.kpack");
        assertEquals(0, CliTest.run("pack", moduleDir.toString(), "-o", bundle.toString()).exit());
        CliTest.Run keygen = CliTest.run("keygen", "-o", work.resolve("k").toString());
        assertEquals(0, keygen.exit(), keygen.err());
        String name = KmodComparisonTest.modules(moduleDir).get(0);
        for (String[] args : List.of(new String[] {"modprobe", bundle.toString(), "--trust",
                work.resolve("k.pub").toString(), name}, new String[] {"modprobe", "-r", bundle.toString(), "--trust",
                work.resolve("k.pub").toString(), name}, new String[] {"insmod", bundle.toString(), "--trust",
                work.resolve("k.pub").toString(), name})) {
            CliTest.Run run = CliTest.run(args);
            assertEquals(1, run.exit(), run.err());
            assertTrue(run.err().contains(bundle.toString()) && run.err().contains("unsigned"), run.err());
            assertEquals("", run.out());
        }
    }

    /** A module the bundle does not hold: insmod's message and exit code, before any system call. */
    @Test
    void insmodOfAFileTheBundleDoesNotHold() throws IOException {
        Path bundle = work.resolve("basic.kpack");
        assertEquals(0, CliTest.run("pack", SyntheticKernels.moduleDir(SyntheticKernel.BASIC).toString(), "-o",
                bundle.toString()).exit());
        compare(List.of("insmod", "/nonexistent/no-such.ko"),
                List.of("insmod", bundle.toString(), "--allow-unsigned", "/nonexistent/no-such.ko"));
    }

}
