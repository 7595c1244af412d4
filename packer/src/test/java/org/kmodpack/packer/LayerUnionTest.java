package org.kmodpack.packer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.kmodpack.format.Sha256;
import org.kmodpack.modules.Depmod;
import org.kmodpack.modules.DepmodConfig;
import org.kmodpack.modules.ModuleIndex;
import org.kmodpack.reader.Bundle;
import org.kmodpack.reader.Entry;
import org.kmodpack.reader.Extractor;
import org.kmodpack.testkernels.Kmod;
import org.kmodpack.testkernels.SyntheticFirmware;
import org.kmodpack.testkernels.SyntheticKernel;
import org.kmodpack.testkernels.SyntheticKernels;
import org.kmodpack.testkernels.SyntheticLayers;

/**
 * The union of a base and its layers against kmod's depmod run on the same unpacked union: every index file our
 * depmod writes for it is the one kmod's writes, and merging gives the tree of the unpacked union after depmod.
 */
class LayerUnionTest {
    private static final String KVER = SyntheticKernel.BASIC.kernelVersion();

    @TempDir
    Path work;

    private Path base;
    private Path vendor;
    private Path tools;

    @BeforeEach
    void packBaseAndLayers() throws IOException {
        base = work.resolve("base.kpack");
        Packer.pack(SyntheticKernels.moduleDir(SyntheticKernel.BASIC), base, PackOptions.defaults(),
                PackProgress.NONE);
        vendor = packLayer(SyntheticLayers.vendor(work.resolve("vendor")), "vendor.kpack", KVER);
        tools = packLayer(SyntheticLayers.tools(work.resolve("tools")), "tools.kpack", KVER);
    }

    @Test
    void theUnionCarriesTheBasesFirmware() throws IOException {
        Path withFirmware = work.resolve("base-firmware.kpack");
        Packer.pack(SyntheticKernels.moduleDir(SyntheticKernel.BASIC), withFirmware, PackOptions.defaults()
                .withFirmware(new FirmwareSelection(List.of(SyntheticFirmware.write(work.resolve("firmware"))),
                        List.of(), true)), PackProgress.NONE);
        Path merged = work.resolve("merged.kpack");
        try (Bundle baseBundle = Bundle.open(withFirmware); Bundle vendorBundle = Bundle.open(vendor)) {
            LayerUnion.of(baseBundle, List.of(vendorBundle), false).pack(merged, PackOptions.defaults(), List.of(),
                    StatementTerms.defaults(), PackProgress.NONE, problem -> { });
            try (Bundle union = Bundle.open(merged)) {
                List<Entry> want = baseBundle.firmwareEntries();
                List<Entry> got = union.firmwareEntries();
                assertEquals(described(want), described(got));
                for (int i = 0; i < want.size(); i++) {
                    if (want.get(i).isFile()) {
                        assertArrayEquals(baseBundle.readAllBytes(want.get(i)), union.readAllBytes(got.get(i)));
                    }
                }
            }
        }
    }

    /** Each entry's path, kind, size, mode and mtime (to the microsecond: extract restores symlinks' so). */
    private static List<String> described(List<Entry> entries) {
        return entries.stream().map(e -> e.path() + " " + e.kind() + " " + e.size() + " " + e.mode() + " "
                + e.lastModified().to(TimeUnit.MICROSECONDS)).toList();
    }

    @Test
    void everyIndexFileIsTheOneKmodsDepmodWritesForTheUnion() throws IOException {
        try (Bundle baseBundle = Bundle.open(base); Bundle vendorBundle = Bundle.open(vendor);
                Bundle toolsBundle = Bundle.open(tools)) {
            LayerUnion union = LayerUnion.of(baseBundle, List.of(vendorBundle, toolsBundle), false);
            Path ours = work.resolve("ours/lib/modules/" + KVER);
            union.writeTo(ours, problem -> { });
            byte[] baseOrder = Files.readAllBytes(SyntheticKernels.moduleDir(SyntheticKernel.BASIC)
                    .resolve("modules.order"));
            ByteArrayOutputStream order = new ByteArrayOutputStream();
            order.writeBytes(baseOrder);
            order.writeBytes(("extra/vendor/layer_top.ko\nextra/vendor/standalone.ko\nupdates/diamond_bottom.ko\n"
                    + "extra/tools/chain_tail.ko\nupdates/pps_lite.ko\n").getBytes());
            assertArrayEquals(order.toByteArray(), Files.readAllBytes(ours.resolve("modules.order")));

            Path theirsRoot = work.resolve("theirs");
            Path theirs = kmodDepmod(union, theirsRoot);
            for (String file : Depmod.INDEX_FILES) {
                assertArrayEquals(Files.readAllBytes(theirs.resolve(file)), Files.readAllBytes(ours.resolve(file)),
                        file);
            }
            String dep = Files.readString(ours.resolve("modules.dep"));
            assertTrue(depLine(dep, "extra/vendor/layer_top.ko").contains("kernel/drivers/diamond/diamond_left.ko"),
                    "a layer module depends on base modules: " + dep);
            assertTrue(depLine(dep, "kernel/drivers/diamond/diamond_left.ko").contains("updates/diamond_bottom.ko"),
                    "a base module depends on the layer's: " + dep);
            assertTrue(depLine(dep, "extra/vendor/standalone.ko").startsWith("extra/vendor/standalone.ko:"),
                    "the layer's override line chose its standalone: " + dep);

            Path merged = work.resolve("merged.kpack");
            union.pack(merged, PackOptions.defaults(), List.of(), StatementTerms.defaults(), PackProgress.NONE,
                    problem -> { });
            Path extracted = work.resolve("extracted");
            try (Bundle bundle = Bundle.open(merged)) {
                assertTrue(bundle.layer().isEmpty());
                assertEquals("1.0", bundle.info().formatVersion());
                Extractor.extract(bundle, extracted, List.of(), false);
            }
            assertEquals(describe(theirs), describe(extracted), "merge gives the unpacked union after depmod");
        }
    }

    @Test
    void theIndexFilesMadeFromTheBasesIndexAreTheOnesKmodsDepmodWritesForTheUnion() throws IOException {
        // Three layers the base's index answers for: new modules needing base ones, overrides of modules nothing
        // uses (one with aliases and a device node), softdeps, and an export of a layer's own.
        Path dependents = packLayer(SyntheticLayers.dependents(work.resolve("dependents")), "dependents.kpack", KVER);
        Path softdeps = packLayer(SyntheticLayers.softdeps(work.resolve("softdeps")), "softdeps.kpack", KVER);
        Path exporter = packLayer(SyntheticLayers.exporter(work.resolve("exporter")), "exporter.kpack", KVER);
        try (Bundle baseBundle = Bundle.open(base); Bundle dependentsBundle = Bundle.open(dependents);
                Bundle softdepsBundle = Bundle.open(softdeps); Bundle exporterBundle = Bundle.open(exporter)) {
            List<Bundle> layers = List.of(dependentsBundle, softdepsBundle, exporterBundle);
            LayerUnion union = LayerUnion.of(baseBundle, layers, false);
            ModuleIndex merged = ModuleIndex.layered(baseBundle, layers, work.resolve("cache")).orElseThrow();
            Map<String, byte[]> ours = merged.unionIndexFiles();
            assertEquals(Depmod.INDEX_FILES, List.copyOf(ours.keySet()));
            Path theirs = kmodDepmod(union, work.resolve("theirs"));
            for (String file : Depmod.INDEX_FILES) {
                assertArrayEquals(Files.readAllBytes(theirs.resolve(file)), ours.get(file), file);
            }
            assertTrue(new String(ours.get("modules.dep")).contains("updates/standalone.ko:"),
                    "the layer's module overrides the base's");
            assertTrue(new String(ours.get("modules.symbols")).contains("alias symbol:" + SyntheticLayers.TWIN_SYMBOL
                    + " chain_twin\n"), "a layer's own export takes its place among the base's");
            assertTrue(new String(ours.get("modules.devname")).contains("fuse_lite fuse c10:229\n"),
                    "the overriding module's device node");
        }
    }

    @Test
    void indexFilesKeptForTheNextMountAreReadBackOnlyAsWritten() throws IOException {
        Path cache = work.resolve("kept-cache");
        try (Bundle baseBundle = Bundle.open(base); Bundle vendorBundle = Bundle.open(vendor)) {
            LayerUnion union = LayerUnion.of(baseBundle, List.of(vendorBundle), false);
            Map<String, byte[]> files = new LinkedHashMap<>();
            files.put("modules.order", union.modulesOrder());
            files.put("modules.dep", "kernel/a.ko:\n".getBytes(StandardCharsets.UTF_8));
            union.keepIndexFiles(cache, files);
            Map<String, byte[]> read = union.keptIndexFiles(cache).orElseThrow();
            assertEquals(files.keySet(), read.keySet());
            files.forEach((name, bytes) -> assertArrayEquals(bytes, read.get(name), name));

            Path kept;
            try (Stream<Path> all = Files.list(cache.resolve("union-index"))) {
                kept = all.findFirst().orElseThrow();
            }
            byte[] written = Files.readAllBytes(kept);
            // A flipped byte in a file's bytes, and a file cut short: neither is served, both are made again.
            byte[] flipped = written.clone();
            flipped[written.length - 40] ^= 0x01;
            Files.write(kept, flipped);
            assertEquals(Optional.empty(), union.keptIndexFiles(cache));
            Files.write(kept, java.util.Arrays.copyOf(written, written.length - 1));
            assertEquals(Optional.empty(), union.keptIndexFiles(cache));
        }
    }

    @Test
    void aUnionIsBuiltOnceAndTheCacheKeepsTheTwoLastUsed() throws IOException {
        Path cache = work.resolve("cache");
        try (Bundle baseBundle = Bundle.open(base); Bundle vendorBundle = Bundle.open(vendor);
                Bundle toolsBundle = Bundle.open(tools)) {
            LayerUnion vendorOnly = LayerUnion.of(baseBundle, List.of(vendorBundle), false);
            Object built;
            try (Bundle union = vendorOnly.open(cache, problem -> { })) {
                assertEquals(base + "+" + vendor, union.toString());
                assertEquals("extra/vendor/layer_top.ko",
                        ModuleIndex.of(union).module("layer_top").orElseThrow().path());
                built = fileKey(cache.resolve("unions"));
            }
            Object changed = changeTime(cache.resolve("unions"));
            try (Bundle again = vendorOnly.open(cache, problem -> { })) {
                assertEquals(built, fileKey(cache.resolve("unions")), "the cached union is used, not rebuilt");
                assertEquals(changed, changeTime(cache.resolve("unions")),
                        "used again, the union's file is left as it was: the record of its check stays valid");
            }
            LayerUnion.of(baseBundle, List.of(vendorBundle, toolsBundle), false).open(cache, problem -> { }).close();
            LayerUnion.of(baseBundle, List.of(toolsBundle), false).open(cache, problem -> { }).close();
            try (Stream<Path> unions = Files.list(cache.resolve("unions"))) {
                List<Path> kept = unions.filter(file -> file.toString().endsWith(".kpack")).toList();
                assertEquals(LayerUnion.KEPT_UNIONS, kept.size(), kept.toString());
            }
        }
    }

    private static Object fileKey(Path unions) throws IOException {
        return Files.readAttributes(onlyUnion(unions), java.nio.file.attribute.BasicFileAttributes.class).fileKey();
    }

    private static Object changeTime(Path unions) throws IOException {
        return Files.getAttribute(onlyUnion(unions), "unix:ctime");
    }

    private static Path onlyUnion(Path unions) throws IOException {
        try (Stream<Path> files = Files.list(unions)) {
            List<Path> all = files.filter(file -> file.toString().endsWith(".kpack")).toList();
            assertEquals(1, all.size(), all.toString());
            return all.get(0);
        }
    }

    @Test
    void layersThatDoNotFitAreRefusedInOneLine() throws IOException {
        Path otherKernel = packLayer(SyntheticLayers.tools(work.resolve("tools-other")), "other.kpack",
                "6.1.0-other");
        Path replacing = work.resolve("replacing");
        Files.createDirectories(replacing.resolve("kernel/drivers/misc"));
        Files.copy(work.resolve("vendor/extra/vendor/standalone.ko"),
                replacing.resolve("kernel/drivers/misc/standalone.ko"));
        Path replacer = packLayer(replacing, "replacer.kpack", KVER);
        try (Bundle baseBundle = Bundle.open(base); Bundle vendorBundle = Bundle.open(vendor);
                Bundle again = Bundle.open(vendor); Bundle other = Bundle.open(otherKernel);
                Bundle replacerBundle = Bundle.open(replacer)) {
            assertRefused(other + ": is a layer for kernel 6.1.0-other, not for the base's " + KVER,
                    baseBundle, other);
            assertRefused(replacerBundle + ": replaces kernel/drivers/misc/standalone.ko of the base",
                    baseBundle, replacerBundle);
            assertRefused(again + ": has updates/diamond_bottom.ko, as " + vendorBundle + " does",
                    baseBundle, vendorBundle, again);
            assertRefused(baseBundle + ": is not a layer", baseBundle, baseBundle);
            assertRefused(vendorBundle + ": is a layer, not a base", vendorBundle, again);
            LayerUnion shadowed = LayerUnion.of(baseBundle, List.of(vendorBundle, again), true);
            assertEquals(again, shadowed.layerFiles().get("extra/vendor/layer_top.ko"), "the later layer wins");
            assertFalse(shadowed.layerFiles().containsKey("modules.dep"), "the base's files are the base's");
        }
    }

    /** The modules.dep line of the module whose path starts with {@code path}. */
    private static String depLine(String dep, String path) {
        return dep.lines().filter(line -> line.startsWith(path)).findFirst().orElse("no line for " + path);
    }

    private static void assertRefused(String start, Bundle baseBundle, Bundle... layers) {
        IOException refused = assertThrows(IOException.class, () -> LayerUnion.of(baseBundle, List.of(layers),
                false));
        assertTrue(refused.getMessage().startsWith(start), refused.getMessage());
        assertTrue(refused.getMessage().lines().count() == 1, refused.getMessage());
    }

    /** The union written out again, its index files removed, indexed by kmod's depmod with the layers' config. */
    private Path kmodDepmod(LayerUnion union, Path root) throws IOException {
        Path moduleDir = root.resolve("lib/modules/" + KVER);
        union.writeTo(moduleDir, problem -> { });
        for (String file : Depmod.INDEX_FILES) {
            Files.delete(moduleDir.resolve(file));
        }
        Path config = Files.createDirectories(work.resolve("depmod.d"));
        for (DepmodConfig.ConfigText file : union.depmodConfig()) {
            Files.writeString(config.resolve(file.name()), file.text());
        }
        Kmod.Result depmod = Kmod.run(List.of("depmod", "-b", root.toString(), "-C", config.toString(), KVER));
        assertEquals(0, depmod.exit(), depmod.err());
        return moduleDir;
    }

    /**
     * Every entry: kind, mode, content or target, and the mtime of all but the files depmod writes (they carry
     * the time it ran) and the root (which writing them touches).
     */
    private static Map<String, String> describe(Path root) throws IOException {
        Map<String, String> out = new TreeMap<>();
        List<Path> paths = new ArrayList<>();
        try (Stream<Path> walk = Files.walk(root)) {
            walk.forEach(paths::add);
        }
        for (Path path : paths) {
            String relative = root.relativize(path).toString();
            StringBuilder line = new StringBuilder(PosixFilePermissions.toString(
                    Files.getPosixFilePermissions(path, LinkOption.NOFOLLOW_LINKS)));
            if (Files.isSymbolicLink(path)) {
                line.append(" -> ").append(Files.readSymbolicLink(path));
            } else if (Files.isRegularFile(path)) {
                line.append(' ').append(HexFormat.of().formatHex(Sha256.of(Files.readAllBytes(path))));
            }
            if (!relative.isEmpty() && !Depmod.INDEX_FILES.contains(relative)) {
                line.append(' ').append(Files.getLastModifiedTime(path, LinkOption.NOFOLLOW_LINKS));
            }
            out.put(relative, line.toString());
        }
        return out;
    }

    private Path packLayer(Path directory, String name, String kernelVersion) throws IOException {
        Path bundle = work.resolve(name);
        Packer.packLayer(directory, bundle, PackOptions.defaults().withKernelVersion(kernelVersion), List.of(),
                StatementTerms.defaults(), PackProgress.NONE);
        return bundle;
    }
}
