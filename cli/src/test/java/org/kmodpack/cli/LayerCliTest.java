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
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.kmodpack.modules.KmodProblem;
import org.kmodpack.modules.ModuleIndex;
import org.kmodpack.modules.UnionSymbolCheck;
import org.kmodpack.packer.LayerUnion;
import org.kmodpack.reader.Bundle;
import org.kmodpack.testkernels.SyntheticKernel;
import org.kmodpack.testkernels.SyntheticKernels;
import org.kmodpack.testkernels.SyntheticLayers;

/**
 * kmodpack modprobe/modinfo over a base and two layers against kmod 30 on the unpacked union after kmod's depmod
 * (with the layers' depmod.d files): the same stdout, stderr and exit code for every module and alias.
 */
class LayerCliTest {
    private static final String KVER = SyntheticKernel.BASIC.kernelVersion();
    private static final int CHUNK = 1500;

    @TempDir
    Path work;

    @Test
    void modprobeAndModinfoOverLayersAnswerAsKmodOnTheUnion() throws IOException {
        Path base = LayerFixtures.packBase(work);
        Path vendor = LayerFixtures.packLayer(work, SyntheticLayers.vendor(work.resolve("vendor")), "vendor.kpack");
        Path tools = LayerFixtures.packLayer(work, SyntheticLayers.tools(work.resolve("tools")), "tools.kpack");

        Path root = work.resolve("union");
        Path moduleDir = LayerFixtures.unionAfterKmodDepmod(work, base, List.of(vendor, tools), root);
        List<String> layers = List.of("--layer", vendor.toString(), "--layer", tools.toString());
        List<String> modules = KmodComparisonTest.modules(moduleDir);
        assertTrue(modules.contains("layer_top") && modules.contains("chain_tail"), modules.toString());
        try (Bundle baseBundle = Bundle.open(base); Bundle vendorBundle = Bundle.open(vendor);
                Bundle toolsBundle = Bundle.open(tools)) {
            assertTrue(ModuleIndex.layered(baseBundle, List.of(vendorBundle, toolsBundle), work.resolve("cache"))
                    .isEmpty(),
                    "these layers change base modules' lines: the union is indexed whole");
        }
        assertAnswersAsKmod(base, layers, root, moduleDir);
        compare(concat(List.of("modprobe", "-d", root.toString(), "-S", KVER, "-D", "layer_top", "x=1")),
                concat(List.of("modprobe", base.toString(), "-d", root.toString()), layers,
                        List.of("-D", "layer_top", "x=1")));

        Path cache = work.resolve("cache");
        CliTest.Run cached = CliTest.run(concat(List.of("modinfo", base.toString(), "--cache-dir", cache.toString()),
                layers, List.of("chain_a")).toArray(String[]::new));
        assertEquals(0, cached.exit(), cached.err());
        try (var unions = Files.list(cache.resolve("unions"))) {
            assertEquals(1, unions.filter(file -> file.toString().endsWith(".kpack")).count(),
                    "the union indexed whole is kept in --cache-dir");
        }
        CliTest.Run unionInfo = CliTest.run(concat(List.of("info", base.toString()), layers)
                .toArray(String[]::new));
        assertTrue(unionInfo.out().contains("lookups:         the union indexed whole"), unionInfo.out());

        CliTest.Run info = CliTest.run("info", vendor.toString());
        assertTrue(info.out().contains("format version:  1.1\n") && info.out().contains("layer:           for kernel "
                + KVER + ", modules in order: extra/vendor/layer_top.ko extra/vendor/standalone.ko "
                + "updates/diamond_bottom.ko\nlayer depmod.d:  vendor.conf\n"), info.out());
        CliTest.Run ls = CliTest.run(concat(List.of("ls", base.toString(), "extra/vendor"), layers)
                .toArray(String[]::new));
        assertEquals("layer_top.ko\t(from layer " + vendor + ")\nstandalone.ko\t(from layer " + vendor + ")\n",
                ls.out(), ls.err());
    }

    @Test
    void layersThatDoNotFitAreRefusedInOneLine() throws IOException {
        Path base = LayerFixtures.packBase(work);
        Path other = work.resolve("other.kpack");
        CliTest.Run pack = CliTest.run("pack", SyntheticLayers.tools(work.resolve("tools")).toString(), "--layer",
                "--kernel-version", "6.1.0-other", "-o", other.toString());
        assertEquals(0, pack.exit(), pack.err());
        assertTrue(pack.out().contains("kernel 6.1.0-other, layer"), pack.out());
        CliTest.Run refused = CliTest.run("modprobe", base.toString(), "--layer", other.toString(), "-D", "chain_a");
        assertEquals(1, refused.exit());
        assertEquals("kmodpack: " + other + ": is a layer for kernel 6.1.0-other, not for the base's " + KVER
                + "; pack it again for " + KVER + "\n", refused.err());
        CliTest.Run layerAlone = CliTest.run("modprobe", other.toString(), "-D", "chain_tail");
        assertEquals(1, layerAlone.exit());
        assertEquals("kmodpack: " + other + ": is a layer of extra modules, not a whole tree; give the base bundle "
                + "and this one with --layer\n", layerAlone.err());
        assertEquals(2, CliTest.run("modinfo", base.toString(), "--layer", other.toString(), "--layer-trust",
                base.toString(), "chain_a").exit(), "modinfo checks no signatures");
        CliTest.Run noVersion = CliTest.run("pack", work.resolve("tools").toString(), "--layer", "-o",
                work.resolve("x.kpack").toString());
        assertEquals(2, noVersion.exit(), noVersion.err());
    }

    @Test
    void layerKeysSignLayersAndNeverTheBase() throws IOException {
        assertEquals(0, CliTest.run("keygen", "-o", work.resolve("vendor-key").toString()).exit());
        assertEquals(0, CliTest.run("keygen", "-o", work.resolve("dkms-key").toString()).exit());
        String vendorKey = work.resolve("vendor-key.pub").toString();
        String dkmsKey = work.resolve("dkms-key.pub").toString();
        String tree = SyntheticKernels.moduleDir(SyntheticKernel.BASIC).toString();
        Path base = work.resolve("base.kpack");
        assertEquals(0, CliTest.run("pack", tree, "-o", base.toString(), "--sign",
                work.resolve("vendor-key.key").toString()).exit());
        Path dkmsSignedBase = work.resolve("dkms-base.kpack");
        assertEquals(0, CliTest.run("pack", tree, "-o", dkmsSignedBase.toString(), "--sign",
                work.resolve("dkms-key.key").toString()).exit());
        Path layer = work.resolve("vendor.kpack");
        CliTest.Run pack = CliTest.run("pack", SyntheticLayers.vendor(work.resolve("vendor")).toString(), "--layer",
                "--kernel-version", KVER, "-o", layer.toString(), "--sign", work.resolve("dkms-key.key").toString());
        assertEquals(0, pack.exit(), pack.err());
        String image = work.resolve("initrd.cpio").toString();

        CliTest.Run trusted = CliTest.run("initramfs", base.toString(), "--layer", layer.toString(), "--trust",
                vendorKey, "--layer-trust", dkmsKey, "-o", image, "layer_top");
        assertEquals(0, trusted.exit(), trusted.err());
        CliTest.Run untrustedLayer = CliTest.run("initramfs", base.toString(), "--layer", layer.toString(),
                "--trust", vendorKey, "-o", image, "layer_top");
        assertEquals(1, untrustedLayer.exit());
        assertTrue(untrustedLayer.err().startsWith("kmodpack: " + layer) && untrustedLayer.err().lines().count() == 1,
                untrustedLayer.err());
        CliTest.Run layerKeyOnBase = CliTest.run("initramfs", dkmsSignedBase.toString(), "--layer", layer.toString(),
                "--trust", vendorKey, "--layer-trust", dkmsKey, "-o", image, "layer_top");
        assertEquals(1, layerKeyOnBase.exit());
        assertTrue(layerKeyOnBase.err().startsWith("kmodpack: " + dkmsSignedBase)
                && layerKeyOnBase.err().lines().count() == 1, layerKeyOnBase.err());
    }

    @Test
    void layersLeavingTheBaseLinesAloneAreMergedAtLookupTimeAsKmodOnTheUnion() throws IOException {
        Path base = LayerFixtures.packBase(work);
        List<Path> mergeable = LayerFixtures.packLayersTheBaseAnswersFor(work);
        Path dependents = mergeable.get(0);
        Path softdeps = mergeable.get(1);
        try (Bundle baseBundle = Bundle.open(base); Bundle dependentsBundle = Bundle.open(dependents);
                Bundle softdepsBundle = Bundle.open(softdeps)) {
            assertTrue(ModuleIndex.layered(baseBundle, List.of(dependentsBundle, softdepsBundle), work.resolve("cache"))
                    .isPresent(),
                    "the base's index answers for these layers");
        }
        Path root = work.resolve("union");
        Path moduleDir = LayerFixtures.unionAfterKmodDepmod(work, base, List.of(dependents, softdeps), root);
        assertTrue(Files.readString(moduleDir.resolve("modules.dep")).contains("updates/standalone.ko:"));
        List<String> layers = List.of("--layer", dependents.toString(), "--layer", softdeps.toString());
        assertAnswersAsKmod(base, layers, root, moduleDir);
        Path cache = work.resolve("merged-cache");
        CliTest.Run modinfo = CliTest.run(concat(List.of("modinfo", base.toString(), "--cache-dir", cache.toString()),
                layers, List.of("igb_twin", "chain_a")).toArray(String[]::new));
        assertEquals(0, modinfo.exit(), modinfo.err());
        String shown = new String(modinfo.stdout(), java.nio.charset.StandardCharsets.UTF_8);
        assertTrue(shown.contains("filename:       /lib/modules/" + KVER + "/extra/addon/igb_twin.ko.xz\n"), shown);
        CliTest.Run listing = CliTest.run(concat(List.of("ls", "-l", "-R", base.toString(), "--cache-dir",
                cache.toString()), layers).toArray(String[]::new));
        assertEquals(0, listing.exit(), listing.err());
        assertEquals(sizesBelow(moduleDir), listedSizes(listing.out()), "ls -l -R of the union: the tree depmod "
                + "indexed, with the index files it wrote");
        assertTrue(listing.out().contains(" extra/addon/layer_top.ko\t(from layer " + dependents + ")\n"),
                listing.out());
        assertTrue(Files.notExists(cache.resolve("unions")), "modinfo and ls merge at lookup time: no union is built");

        CliTest.Run info = CliTest.run(concat(List.of("info", base.toString()), layers).toArray(String[]::new));
        assertEquals(0, info.exit(), info.err());
        assertTrue(info.out().contains("layer 1:         " + dependents + ": 3 modules: extra/addon/igb_twin.ko.xz "
                + "extra/addon/layer_top.ko updates/standalone.ko\nlayer 2:         " + softdeps + ": 2 modules: "
                + "extra/more/softdep_twin.ko extra/more/uas_twin.ko.xz\nlookups:         the base's index merged "
                + "with the layers' modules at lookup time\n"), info.out());
    }

    @Test
    void layersNeedingSymbolsNothingExportsAreRefusedWhereKmodsDepmodWarns() throws IOException {
        Path base = LayerFixtures.packBase(work);
        Path brokenDir = SyntheticLayers.unknownSymbol(work.resolve("broken"));
        Path broken = LayerFixtures.packLayer(work, brokenDir, "broken.kpack");
        Path droppedDir = SyntheticLayers.exportsDropped(work.resolve("dropped"));
        Path dropped = LayerFixtures.packLayer(work, droppedDir, "dropped.kpack");
        Path vendor = LayerFixtures.packLayer(work, SyntheticLayers.vendor(work.resolve("vendor")), "vendor.kpack");

        String refusal = "kmodpack: " + broken + ": extra/broken/needs_lost.ko needs unknown symbol "
                + SyntheticLayers.LOST_SYMBOL + ", which neither the kernel nor a module of " + base + " and its "
                + "layers exports; rebuild the layer's modules for this kernel, or drop the layer\n";
        Path image = work.resolve("initrd.cpio");
        Path merged = work.resolve("merged.kpack");
        List<List<String>> commands = List.of(
                List.of("modprobe", base.toString(), "--layer", broken.toString(), "-D", "needs_lost"),
                List.of("modinfo", base.toString(), "--layer", broken.toString(), "needs_lost"),
                List.of("initramfs", base.toString(), "--layer", broken.toString(), "--allow-unsigned", "-o",
                        image.toString(), "needs_lost"),
                List.of("merge", base.toString(), broken.toString(), "--allow-unsigned", "-o", merged.toString()));
        for (List<String> command : commands) {
            CliTest.Run refused = CliTest.run(command.toArray(String[]::new));
            assertEquals(1, refused.exit(), command.toString());
            assertEquals(refusal, refused.err(), command.toString());
        }
        assertTrue(Files.notExists(image) && Files.notExists(merged), "nothing is written");

        CliTest.Run droppedRun = CliTest.run("modprobe", base.toString(), "--layer", dropped.toString(), "-D",
                "diamond_top");
        assertEquals(1, droppedRun.exit());
        assertTrue(droppedRun.err().startsWith("kmodpack: " + dropped + ": kernel/") && droppedRun.err().contains(
                " of the base needs unknown symbol diamond_bottom_") && droppedRun.err().contains("which only the "
                + "base module this layer overrides exported (and ") && droppedRun.err().lines().count() == 1,
                droppedRun.err());

        // kmod's depmod -e -F System.map on the unpacked union warns about exactly what is refused.
        List<String> systemMap = List.of("-F", SyntheticKernels.systemMap(SyntheticKernel.BASIC).toString());
        assertEquals(kmodWarnings(base, brokenDir, systemMap), ourWarnings(base, broken));
        assertEquals(kmodWarnings(base, droppedDir, systemMap), ourWarnings(base, dropped));
        assertEquals(Set.of(), kmodWarnings(base, SyntheticLayers.vendor(work.resolve("vendor-again")), systemMap));

        CliTest.Run passes = CliTest.run("modprobe", base.toString(), "--layer", vendor.toString(), "-D", "layer_top");
        assertEquals(0, passes.exit(), passes.err());
        assertEquals("", passes.err(), "checked, and nothing to say");
        Path unchecked = work.resolve("unchecked.kpack");
        assertEquals(0, CliTest.run("pack", SyntheticKernels.moduleDir(SyntheticKernel.BASIC).toString(), "-o",
                unchecked.toString()).exit());
        CliTest.Run warned = CliTest.run("modprobe", unchecked.toString(), "--layer", broken.toString(), "-D",
                "needs_lost");
        assertEquals(0, warned.exit(), warned.err());
        assertEquals("kmodpack: warning: " + unchecked + " records no kernel symbols, so the layers' modules were "
                + "not checked for symbols nothing exports; pack the base with --system-map FILE or --symvers FILE\n",
                warned.err());
    }

    @Test
    void layerModulesNeedingOtherVersionsThanTheExportersAreRefusedWithModuleSymvers() throws IOException {
        // The synthetic modules carry no __versions: each symbol they need is at version 0. The kernel's exports
        // are at version 0 here too, the base modules' exports at their own (CSource.crc), as depmod -E sees them.
        Path symvers = Files.writeString(work.resolve("Module.symvers"), "0x00000000\tprintk\tvmlinux\tEXPORT_SYMBOL\n"
                + "0x00000000\tkmalloc\tvmlinux\tEXPORT_SYMBOL\n0x00000000\tkfree\tvmlinux\tEXPORT_SYMBOL\n");
        Path base = work.resolve("symvers.kpack");
        CliTest.Run pack = CliTest.run("pack", SyntheticKernels.moduleDir(SyntheticKernel.BASIC).toString(), "-o",
                base.toString(), "--symvers", symvers.toString());
        assertEquals(0, pack.exit(), pack.err());
        Path dependentsDir = SyntheticLayers.dependents(work.resolve("dependents"));
        Path dependents = LayerFixtures.packLayer(work, dependentsDir, "dependents.kpack");
        CliTest.Run refused = CliTest.run("modprobe", base.toString(), "--layer", dependents.toString(), "-D",
                "layer_top");
        assertEquals(1, refused.exit());
        assertTrue(refused.err().startsWith("kmodpack: " + dependents + ": extra/addon/") && refused.err().contains(
                " disagrees about version of symbol ") && refused.err().lines().count() == 1, refused.err());

        // kmod's depmod -e -E warns about the base's own modules too: what the layer adds is what is refused.
        List<String> options = List.of("-E", symvers.toString());
        Path empty = Files.createDirectories(work.resolve("empty-layer"));
        Set<String> added = new TreeSet<>(kmodWarnings(base, dependentsDir, options));
        added.removeAll(kmodWarnings(base, empty, options));
        assertTrue(!added.isEmpty(), "depmod -E warns about the layer's modules");
        assertEquals(added, ourWarnings(base, dependents));
    }

    /** The union's problems UnionSymbolCheck finds, as depmod words them after the module's path. */
    private Set<String> ourWarnings(Path base, Path layer) throws IOException {
        try (Bundle baseBundle = Bundle.open(base); Bundle layerBundle = Bundle.open(layer)) {
            LayerUnion union = LayerUnion.of(baseBundle, List.of(layerBundle), false);
            Set<String> found = new TreeSet<>();
            for (UnionSymbolCheck.Unresolved unresolved : UnionSymbolCheck.check(baseBundle, union.layerFiles(),
                    union.depmodConfig(), null).orElseThrow()) {
                found.add(unresolved.problem().subject() + (unresolved.problem().kind()
                        == KmodProblem.Kind.SYMBOL_VERSION_MISMATCH ? " disagrees about version of symbol "
                        : " needs unknown symbol ") + unresolved.problem().detail());
            }
            return found;
        }
    }

    /**
     * kmod's depmod -e {@code kernelSymbols} (-F System.map or -E Module.symvers) warnings on the base unpacked with
     * the layer directory copied over it.
     */
    private Set<String> kmodWarnings(Path base, Path layerDirectory, List<String> kernelSymbols) throws IOException {
        Path root = Files.createTempDirectory(work, "kmod-union");
        Path moduleDir = root.resolve("lib/modules/" + KVER);
        assertEquals(0, CliTest.run("extract", base.toString(), moduleDir.toString()).exit());
        try (var files = Files.walk(layerDirectory)) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                Path target = moduleDir.resolve(layerDirectory.relativize(file).toString());
                Files.createDirectories(target.getParent());
                Files.copy(file, target);
            }
        }
        Path noConfig = Files.createDirectories(root.resolve("depmod.d"));
        List<String> options = new ArrayList<>(List.of("-C", noConfig.toString(), "-e"));
        options.addAll(kernelSymbols);
        return LayerFixtures.depmodWarnings(root, KVER, options);
    }

    /** "PATH SIZE" of every regular file below {@code directory}, PATH relative to it. */
    private static Set<String> sizesBelow(Path directory) throws IOException {
        Set<String> sizes = new TreeSet<>();
        try (var files = Files.walk(directory)) {
            for (Path file : (Iterable<Path>) files.filter(file -> Files.isRegularFile(file,
                    java.nio.file.LinkOption.NOFOLLOW_LINKS))::iterator) {
                sizes.add(directory.relativize(file) + " " + Files.size(file));
            }
        }
        return sizes;
    }

    /** "PATH SIZE" of every regular file ls -l -R lists. */
    private static Set<String> listedSizes(String listing) {
        Set<String> sizes = new TreeSet<>();
        for (String line : listing.lines().toList()) {
            String[] fields = line.split("\t")[0].split(" +", 8);
            if (line.startsWith("-")) {
                sizes.add(fields[7] + " " + fields[4]);
            }
        }
        return sizes;
    }

    /**
     * modprobe -D -a of every module and builtin, -R -a of every alias and symbol, and modinfo of every module:
     * kmodpack's over the base and {@code layers} (its --layer options) equal kmod's in the union's root.
     */
    private static void assertAnswersAsKmod(Path base, List<String> layers, Path root, Path moduleDir)
            throws IOException {
        List<String> modules = KmodComparisonTest.modules(moduleDir);
        List<String> names = new ArrayList<>(modules);
        names.addAll(KmodComparisonTest.builtins(moduleDir));
        names.add("no-such-module");
        List<String> modprobe = List.of("modprobe", "-d", root.toString(), "-S", KVER);
        List<String> ours = concat(List.of("modprobe", base.toString(), "-d", root.toString()), layers);
        compareChunks(concat(modprobe, List.of("-D", "-a")), concat(ours, List.of("-D", "-a")), names, CHUNK);
        List<String> aliases = new ArrayList<>(KmodComparisonTest.aliasInstances(moduleDir));
        for (String line : Files.readAllLines(moduleDir.resolve("modules.symbols"))) {
            if (line.startsWith("alias ")) {
                aliases.add(line.split(" ")[1]);
            }
        }
        aliases.add("symbol:no_such_symbol");
        compareChunks(concat(modprobe, List.of("-R", "-a")), concat(ours, List.of("-R", "-a")), aliases, CHUNK);
        compareChunks(List.of("modinfo", "-b", root.toString(), "-k", KVER),
                concat(List.of("modinfo", base.toString(), "-b", root.toString()), layers), names, CHUNK);
    }
}
