package org.kmodpack.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.kmodpack.modules.Depmod;
import org.kmodpack.testkernels.Kmod;
import org.kmodpack.testkernels.SyntheticKernel;
import org.kmodpack.testkernels.SyntheticKernels;
import org.kmodpack.testkernels.SyntheticLayers;

/** The layer tests' shared steps over the basic synthetic kernel: pack a layer, and the union as kmod sees it. */
final class LayerFixtures {
    static final String KVER = SyntheticKernel.BASIC.kernelVersion();

    private LayerFixtures() {
    }

    /**
     * Packs the basic kernel into {@code work/base.kpack} with the kernel's exports from its System.map, so that
     * layers merged over it are checked (and no warning says they are not).
     */
    static Path packBase(Path work) throws IOException {
        Path base = work.resolve("base.kpack");
        CliTest.Run pack = CliTest.run("pack", SyntheticKernels.moduleDir(SyntheticKernel.BASIC).toString(), "-o",
                base.toString(), "--system-map", SyntheticKernels.systemMap(SyntheticKernel.BASIC).toString());
        assertEquals(0, pack.exit(), pack.err());
        return base;
    }

    /**
     * The dependents and softdeps layers ({@link SyntheticLayers}), packed into {@code work}: layers that leave
     * the base's modules.dep lines alone, so the base's index answers for their union.
     */
    static List<Path> packLayersTheBaseAnswersFor(Path work) throws IOException {
        return List.of(packLayer(work, SyntheticLayers.dependents(work.resolve("dependents")), "dependents.kpack"),
                packLayer(work, SyntheticLayers.softdeps(work.resolve("softdeps")), "softdeps.kpack"));
    }

    /** Packs {@code directory} as an unsigned layer for the basic kernel into {@code work/name}. */
    static Path packLayer(Path work, Path directory, String name) {
        Path bundle = work.resolve(name);
        CliTest.Run pack = CliTest.run("pack", directory.toString(), "--layer", "--kernel-version", KVER, "-o",
                bundle.toString());
        assertEquals(0, pack.exit(), pack.err());
        return bundle;
    }

    /**
     * What kmod's depmod {@code options} -n warns about the tree ROOT/lib/modules/{@code kernelVersion}: each
     * "depmod: WARNING: MODULE_DIR/REST" line's REST ("PATH needs unknown symbol NAME").
     */
    static Set<String> depmodWarnings(Path root, String kernelVersion, List<String> options) throws IOException {
        List<String> command = new ArrayList<>(List.of("depmod", "-b", root.toString()));
        command.addAll(options);
        command.addAll(List.of("-n", kernelVersion));
        Kmod.Result depmod = Kmod.run(command);
        assertEquals(0, depmod.exit(), depmod.err());
        String prefix = "depmod: WARNING: " + root + "/lib/modules/" + kernelVersion + "/";
        Set<String> warned = new TreeSet<>();
        depmod.err().lines().filter(line -> line.startsWith(prefix))
                .forEach(line -> warned.add(line.substring(prefix.length())));
        return warned;
    }

    /**
     * kmodpack merge, extract under {@code root}, then kmod's depmod over the result with the vendor layer's
     * depmod.d file (work/vendor/depmod.d/vendor.conf) if there is one: the union as kmod would index it.
     */
    static Path unionAfterKmodDepmod(Path work, Path base, List<Path> layers, Path root) throws IOException {
        Path merged = work.resolve("merged.kpack");
        List<String> merge = new ArrayList<>(List.of("merge", base.toString()));
        layers.forEach(layer -> merge.add(layer.toString()));
        merge.addAll(List.of("-o", merged.toString(), "--allow-unsigned"));
        CliTest.Run merging = CliTest.run(merge.toArray(String[]::new));
        assertEquals(0, merging.exit(), merging.err());
        Path moduleDir = root.resolve("lib/modules/" + KVER);
        CliTest.Run extract = CliTest.run("extract", merged.toString(), moduleDir.toString());
        assertEquals(0, extract.exit(), extract.err());
        for (String file : Depmod.INDEX_FILES) {
            Files.delete(moduleDir.resolve(file));
        }
        Path config = Files.createDirectories(work.resolve("depmod.d"));
        Path vendorConfig = work.resolve("vendor/depmod.d/vendor.conf");
        if (Files.exists(vendorConfig)) {
            Files.copy(vendorConfig, config.resolve("vendor.conf"));
        }
        Kmod.Result depmod = Kmod.run(List.of("depmod", "-b", root.toString(), "-C", config.toString(), KVER));
        assertEquals(0, depmod.exit(), depmod.err());
        return moduleDir;
    }
}
