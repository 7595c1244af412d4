package org.kmodpack.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.kmodpack.cli.KmodOracle.compare;
import static org.kmodpack.cli.KmodOracle.concat;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.kmodpack.modules.Depmod;
import org.kmodpack.modules.ModuleIndex;
import org.kmodpack.reader.Bundle;
import org.kmodpack.testkernels.DebianKernels;
import org.kmodpack.testkernels.DebianLayerModules;
import org.kmodpack.testkernels.Kmod;

/**
 * Debian's generic kernel as the base, signed by a vendor key, and a layer of real out-of-tree modules compiled
 * against Debian's linux-headers package (one needing the base's libcrc32c, one overriding the in-tree dummy from
 * updates/), signed by a second key trusted for layers only: kmodpack's answers are kmod 30's on the unpacked union
 * after depmod.
 */
@Tag("amd64")
class DebianLayerTest {
    @TempDir
    Path work;

    @Test
    void anOutOfTreeLayerOverDebiansKernelAnswersAsKmodOnTheUnion() throws IOException {
        Path baseTree = DebianKernels.moduleDir("amd64");
        String kver = baseTree.getFileName().toString();
        Path layerTree = DebianLayerModules.layerDir(kver);
        assertEquals(0, CliTest.run("keygen", "-o", work.resolve("vendor").toString()).exit());
        assertEquals(0, CliTest.run("keygen", "-o", work.resolve("dkms").toString()).exit());
        Path base = work.resolve("base.kpack");
        Path symvers = DebianLayerModules.moduleSymvers(kver);
        CliTest.Run packBase = CliTest.run("pack", baseTree.toString(), "-o", base.toString(), "--sign",
                work.resolve("vendor.key").toString(), "--symvers", symvers.toString());
        assertEquals(0, packBase.exit(), packBase.err());
        assertTrue(packBase.out().contains("kernel symbols: 10503 exports from Module.symvers recorded; the modules "
                + "checked as depmod -e does: 0 unknown symbols, 0 version mismatches\n"), packBase.out());
        Path layer = work.resolve("layer.kpack");
        CliTest.Run packLayer = CliTest.run("pack", layerTree.toString(), "--layer", "--kernel-version", kver, "-o",
                layer.toString(), "--sign", work.resolve("dkms.key").toString());
        assertEquals(0, packLayer.exit(), packLayer.err());
        List<String> trust = List.of("--trust", work.resolve("vendor.pub").toString(), "--layer-trust",
                work.resolve("dkms.pub").toString());

        Path merged = work.resolve("merged.kpack");
        CliTest.Run merge = CliTest.run(concat(List.of("merge", base.toString(), layer.toString(), "-o",
                merged.toString()), trust).toArray(String[]::new));
        assertEquals(0, merge.exit(), merge.err());
        assertEquals("", merge.err(), "kp_crc_user's symbols are the kernel's and libcrc32c's, at their versions");
        Path root = work.resolve("union");
        Path moduleDir = root.resolve("lib/modules/" + kver);
        assertEquals(0, CliTest.run("extract", merged.toString(), moduleDir.toString()).exit());
        for (String file : Depmod.INDEX_FILES) {
            Files.delete(moduleDir.resolve(file));
        }
        // The union's depmod configuration is the layers' depmod.d files only (none here), not the host's.
        Path noConfig = Files.createDirectories(work.resolve("depmod.d"));
        Kmod.Result depmod = Kmod.run(List.of("depmod", "-b", root.toString(), "-C", noConfig.toString(), kver));
        assertEquals(0, depmod.exit(), depmod.err());
        String dep = Files.readString(moduleDir.resolve("modules.dep"));
        assertTrue(dep.lines().anyMatch(line -> line.startsWith("extra/kmodpack/kp_crc_user.ko:")
                && line.contains("kernel/lib/libcrc32c.ko")), "the layer module needs the base's libcrc32c");
        assertTrue(dep.lines().anyMatch(line -> line.startsWith("updates/dummy.ko:")), "updates/ wins");

        try (Bundle baseBundle = Bundle.open(base); Bundle layerBundle = Bundle.open(layer)) {
            Optional<ModuleIndex> lookupTime = ModuleIndex.layered(baseBundle, List.of(layerBundle),
                    work.resolve("cache"));
            assertTrue(lookupTime.isPresent(),
                    "modprobe answers from the base's index merged with the layer's modules, no union built");
            // What the mount serves: the index files made from the base's index and the layer's modules.
            Map<String, byte[]> made = lookupTime.get().unionIndexFiles();
            for (String file : Depmod.INDEX_FILES) {
                assertArrayEquals(Files.readAllBytes(moduleDir.resolve(file)), made.get(file), file);
            }
            Path record = work.resolve("cache/module-order").resolve(HexFormat.of()
                    .formatHex(baseBundle.indexSha256()));
            assertTrue(Files.readString(record).startsWith("kmodpack modules not in modules.order 1\n"),
                    "what the base's modules.order tells is kept for later merges");
        }
        // Answers from that record, not from modules.order.
        List<String> ours = concat(List.of("modprobe", base.toString(), "-d", root.toString(), "--layer",
                layer.toString(), "--cache-dir", work.resolve("cache").toString()), trust);
        List<String> modprobe = List.of("modprobe", "-d", root.toString(), "-S", kver);
        List<String> modules = KmodComparisonTest.modules(moduleDir);
        compare(concat(modprobe, List.of("-D", "-a"), modules), concat(ours, List.of("-D", "-a"), modules));
        List<String> aliases = new ArrayList<>(List.of("kmodpack-crc-user", "rtnl-link-dummy", "crc32c",
                "fs-btrfs", "symbol:crc32c"));
        compare(concat(modprobe, List.of("-R", "-a"), aliases), concat(ours, List.of("-R", "-a"), aliases));
        // The union passed the symbol check: that is kept, and later runs do not check it again.
        Path checks = work.resolve("cache/symbol-checks");
        List<Path> passes = new ArrayList<>();
        try (DirectoryStream<Path> passed = Files.newDirectoryStream(checks)) {
            passed.forEach(passes::add);
        }
        assertEquals(1, passes.size(), passes.toString());
        assertEquals("kmodpack symbol check 1: passed\n", Files.readString(passes.get(0)));
        // kp_crc_user needs libcrc32c's crc32c at the version it was built against: the version, which only
        // libcrc32c's file holds, is kept for later checks; a damaged record is read from the file again (the
        // union's pass forgotten, so that it is checked again).
        Path versions;
        try (Bundle baseBundle = Bundle.open(base)) {
            versions = work.resolve("cache/export-versions").resolve(HexFormat.of()
                    .formatHex(baseBundle.indexSha256())).resolve("libcrc32c");
        }
        String record = "kmodpack export versions 1\nkernel/lib/libcrc32c.ko\n";
        assertTrue(Files.readString(versions).startsWith(record), Files.readString(versions));
        assertTrue(Files.readString(versions).contains("\ncrc32c b15b4109\n"), Files.readString(versions));
        String kept = Files.readString(versions);
        Files.writeString(versions, record + "crc32c not-hex\n");
        Files.delete(passes.get(0));
        compare(concat(modprobe, List.of("-D", "kp_crc_user")), concat(ours, List.of("-D", "kp_crc_user")));
        assertEquals(kept, Files.readString(versions));
        List<String> info = List.of("kp_crc_user", "dummy", "libcrc32c", "btrfs");
        compare(concat(List.of("modinfo", "-b", root.toString(), "-k", kver), info),
                concat(List.of("modinfo", base.toString(), "-b", root.toString(), "--layer", layer.toString()), info));

        // A module needing a symbol nothing exports is refused, where kmod's depmod -e -E warns about it.
        Path unknownTree = DebianLayerModules.unknownSymbolLayerDir(kver);
        Path unknown = work.resolve("unknown.kpack");
        CliTest.Run packUnknown = CliTest.run("pack", unknownTree.toString(), "--layer", "--kernel-version", kver,
                "-o", unknown.toString(), "--sign", work.resolve("dkms.key").toString());
        assertEquals(0, packUnknown.exit(), packUnknown.err());
        CliTest.Run refused = CliTest.run(concat(ours, List.of("--layer", unknown.toString(), "-D", "kp_crc_user"))
                .toArray(String[]::new));
        assertEquals(1, refused.exit());
        assertEquals("kmodpack: " + unknown + ": extra/kmodpack/kp_unknown_user.ko needs unknown symbol "
                + "kp_made_up_symbol, which neither the kernel nor a module of " + base + " and its layers exports; "
                + "rebuild the layer's modules for this kernel, or drop the layer\n", refused.err());
        assertEquals(Set.of(), kmodWarnings(root, noConfig, symvers, kver));
        Path unknownModule = moduleDir.resolve("extra/kmodpack/kp_unknown_user.ko");
        Files.copy(unknownTree.resolve("extra/kmodpack/kp_unknown_user.ko"), unknownModule);
        assertEquals(Set.of("extra/kmodpack/kp_unknown_user.ko needs unknown symbol kp_made_up_symbol"),
                kmodWarnings(root, noConfig, symvers, kver));

        // Debian's package carries a System.map without symbols: nothing is recorded, and merges warn instead.
        Path fromDeb = work.resolve("deb.kpack");
        CliTest.Run packDeb = CliTest.run("pack", DebianKernels.deb("amd64").toString(), "-o", fromDeb.toString());
        assertEquals(0, packDeb.exit(), packDeb.err());
        assertTrue(packDeb.out().contains("kernel symbols: none recorded: the package's boot/System.map-" + kver
                + " lists no exports"), packDeb.out());
        CliTest.Run unchecked = CliTest.run("modprobe", fromDeb.toString(), "--layer", unknown.toString(), "-D",
                "kp_unknown_user");
        assertEquals(0, unchecked.exit(), unchecked.err());
        assertEquals("kmodpack: warning: " + fromDeb + " records no kernel symbols, so the layers' modules were not "
                + "checked for symbols nothing exports; pack the base with --system-map FILE or --symvers FILE\n",
                unchecked.err());
    }

    /** What kmod's depmod -e -E Module.symvers warns about the tree under {@code root}: "PATH needs ..." lines. */
    private static Set<String> kmodWarnings(Path root, Path config, Path symvers, String kver) throws IOException {
        return LayerFixtures.depmodWarnings(root, kver, List.of("-C", config.toString(), "-e", "-E",
                symvers.toString()));
    }
}
