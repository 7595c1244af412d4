package org.kmodpack.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.kmodpack.modules.Modprobe;
import org.kmodpack.modules.ModprobeConfig;
import org.kmodpack.modules.ModuleIndex;
import org.kmodpack.modules.ProbeStep;
import org.kmodpack.packer.PackOptions;
import org.kmodpack.packer.PackProgress;
import org.kmodpack.packer.Packer;
import org.kmodpack.reader.Bundle;
import org.kmodpack.testkernels.SyntheticKernel;
import org.kmodpack.testkernels.SyntheticKernels;
import org.kmodpack.testkernels.Kmod;

/**
 * Module options from the kernel command line: kmod runs in a private mount namespace where the test's command
 * line is bind-mounted over /proc/cmdline, and the library is given the same text.
 */
class KernelCmdlineTest {
    @TempDir
    Path work;

    @ParameterizedTest
    @ValueSource(strings = {
        "chain_a.x=1 \"chain_b.y=c d\" chain_c.z=\"q r\" bad.x.y=1 chain-d.w=2 x.=1 .y=2 chain_a.=3 chain_a.flag",
        "chain_a.p=\"unterminated value chain_b.q=1",
        "\"chain_a.a=1\" chain_b.\"b=2\" chain_c.c=\"3\"x chain_d.d=4\t\tchain_a.e=5\n",
        "modprobe.blacklist=chain_a,chain_b chain_a.x=1 diamond-top.t=1 usb-storage-lite.u=v",
        ""})
    void optionsFromTheKernelCommandLineMatchKmod(String cmdline) throws IOException, InterruptedException {
        Path moduleDir = SyntheticKernels.moduleDir(SyntheticKernel.BASIC);
        Path root = SyntheticKernels.root(SyntheticKernel.BASIC);
        String kver = SyntheticKernel.BASIC.kernelVersion();
        List<String> names = KmodComparisonTest.modules(moduleDir);
        Path cmdlineFile = work.resolve("cmdline");
        Files.writeString(cmdlineFile, cmdline, StandardCharsets.UTF_8);
        Path emptyConfig = Files.createDirectories(work.resolve("empty.d"));

        StringBuilder script = new StringBuilder("mount --bind \"$1\" /proc/cmdline && shift && exec \"$@\"");
        List<String> kmod = new ArrayList<>(List.of("unshare", "-m", "sh", "-c", script.toString(), "sh",
                cmdlineFile.toString(), "modprobe", "-C", emptyConfig.toString(), "-d", root.toString(), "-S", kver,
                "-D", "-a"));
        kmod.addAll(names);
        Kmod.Result expected = Kmod.run(kmod);
        // A capability of the machine, not test data: without it (no root, no CAP_SYS_ADMIN) the test is skipped.
        Assumptions.assumeFalse(expected.err().contains("unshare") || expected.err().contains("mount"),
                "needs root to bind-mount a test /proc/cmdline: " + expected.err());

        Path bundle = work.resolve("basic.kpack");
        Packer.pack(moduleDir, bundle, PackOptions.defaults(), PackProgress.NONE);
        StringBuilder out = new StringBuilder();
        try (Bundle open = Bundle.open(bundle)) {
            ModuleIndex index = ModuleIndex.of(open);
            String dir = index.moduleDirectory(root.toString());
            ModprobeConfig config = index.loadConfig(List.of(emptyConfig), dir, cmdline, m -> { });
            Modprobe modprobe = index.modprobe(config, dir, m -> { });
            for (String name : names) {
                Optional<List<ProbeStep>> steps = modprobe.showDepends(name, null, false);
                steps.orElseThrow().forEach(step -> out.append(ShowDepends.line(step)).append('\n'));
            }
        }
        assertEquals(expected.out(), out.toString(), "kernel command line: " + cmdline);
    }
}
