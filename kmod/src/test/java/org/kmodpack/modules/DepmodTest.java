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
        DepmodComparison.copy(source.resolve("lib/modules").resolve(kver), root, kver);
        Path systemMap = source.resolve("boot/System.map-" + kver);
        List<KmodProblem> mapProblems = new ArrayList<>();
        KernelSymbols symbols = KernelSymbols.fromSystemMap(systemMap.toString(), Files.readAllBytes(systemMap),
                mapProblems::add);
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
        DepmodComparison.copy(moduleDir, root, kver);
        DepmodComparison.compare(root, kver, emptyConfig(), List.of(),
                DepmodComparison.options(emptyConfig(), kver, Optional.empty(), false));
    }
}
