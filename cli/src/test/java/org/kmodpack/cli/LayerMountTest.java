package org.kmodpack.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.kmodpack.cli.KmodOracle.concat;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.kmodpack.format.Sha256;
import org.kmodpack.modules.Depmod;
import org.kmodpack.reader.Bundle;
import org.kmodpack.testkernels.SyntheticKernel;
import org.kmodpack.testkernels.SyntheticLayers;

/**
 * The merged mount: base plus layers served as one tree whose index files are those kmod's depmod writes for the
 * unpacked union; through the launcher (--layer, --layer-dir) and the mount(8) helper (layer=PATH).
 */
class LayerMountTest {
    private static final String KVER = SyntheticKernel.BASIC.kernelVersion();

    @TempDir
    Path work;
    @RegisterExtension
    final MountPoints mounted = new MountPoints();

    @Test
    void theMergedMountServesTheIndexFilesDepmodWritesForTheUnion() throws Exception {
        MountPoints.requireFuse();
        Path base = LayerFixtures.packBase(work);
        Path vendor = LayerFixtures.packLayer(work, SyntheticLayers.vendor(work.resolve("vendor")), "vendor.kpack");
        Path layerDirectory = Files.createDirectories(work.resolve("modules-" + KVER + ".d"));
        LayerFixtures.packLayer(work, SyntheticLayers.tools(work.resolve("tools")), layerDirectory.resolve("50-tools.kpack").toString());
        Path expected = LayerFixtures.unionAfterKmodDepmod(work, base,
                List.of(vendor, layerDirectory.resolve("50-tools.kpack")), work.resolve("union"));

        Path mountPoint = Files.createDirectories(work.resolve("mnt"));
        mounted.add(mountPoint);
        CliTest.Run mount = Launcher.kmodpack("mount", base.toString(), mountPoint.toString(), "--allow-unsigned",
                "--layer", vendor.toString(), "--layer-dir", layerDirectory.toString(), "--log",
                work.resolve("mount.log").toString(), "--cache-dir", work.resolve("cache").toString());
        assertEquals(0, mount.exit(), mount.err());
        for (String file : Depmod.INDEX_FILES) {
            assertArrayEquals(Files.readAllBytes(expected.resolve(file)), Files.readAllBytes(mountPoint.resolve(file)),
                    file);
        }
        assertArrayEquals(Files.readAllBytes(expected.resolve("modules.order")),
                Files.readAllBytes(mountPoint.resolve("modules.order")));
        assertTrue(Files.exists(mountPoint.resolve("extra/vendor/layer_top.ko")));
        assertEquals(0, Launcher.kmodpack("umount", mountPoint.toString()).exit());
        // Checked whole at its first mount and recorded, the union is not checked whole again at the next ones.
        List<String> checked = new ArrayList<>();
        try (DirectoryStream<Path> records = Files.newDirectoryStream(work.resolve("cache/checked"))) {
            for (Path record : records) {
                checked.add(Files.readString(record).lines().findFirst().orElse(""));
            }
        }
        String unions = work.toRealPath().resolve("cache/unions").toString();
        assertTrue(checked.stream().anyMatch(path -> path.startsWith(unions)), checked.toString());
        try (Stream<Path> built = Files.list(work.resolve("cache/unions"))) {
            assertEquals(1, built.filter(file -> file.toString().endsWith(".kpack")).count(),
                    "a layer's depmod.d file makes the union indexed whole, as a union bundle");
        }

        CliTest.Run helper = Launcher.script("mount.fuse.kmodpack", Map.of(), base.toString(), mountPoint.toString(),
                "-o", "ro,allow_unsigned,layer=" + vendor + ",layer_dir=" + layerDirectory);
        assertEquals(0, helper.exit(), helper.err());
        assertArrayEquals(Files.readAllBytes(expected.resolve("modules.dep.bin")),
                Files.readAllBytes(mountPoint.resolve("modules.dep.bin")));
        assertEquals(0, Launcher.kmodpack("umount", mountPoint.toString()).exit());
    }

    @Test
    void aLayerNeedingASymbolNothingExportsIsNotMounted() throws Exception {
        MountPoints.requireFuse();
        Path base = LayerFixtures.packBase(work);
        Path broken = LayerFixtures.packLayer(work, SyntheticLayers.unknownSymbol(work.resolve("broken")),
                "broken.kpack");
        Path mountPoint = Files.createDirectories(work.resolve("mnt"));
        mounted.add(mountPoint);
        CliTest.Run mount = Launcher.kmodpack("mount", base.toString(), mountPoint.toString(), "--allow-unsigned",
                "--layer", broken.toString(), "--cache-dir", work.resolve("cache").toString());
        assertEquals(1, mount.exit(), mount.err());
        assertTrue(mount.err().contains(broken + ": extra/broken/needs_lost.ko needs unknown symbol "
                + SyntheticLayers.LOST_SYMBOL + ", which neither the kernel nor a module of "), mount.err());
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(mountPoint)) {
            assertTrue(!entries.iterator().hasNext(), "nothing is mounted");
        }
    }

    @Test
    void layersTheBasesIndexAnswersForAreServedOverTheBaseWithNoUnionBundle() throws Exception {
        MountPoints.requireFuse();
        Path base = LayerFixtures.packBase(work);
        List<Path> layers = LayerFixtures.packLayersTheBaseAnswersFor(work);
        Path expected = LayerFixtures.unionAfterKmodDepmod(work, base, layers, work.resolve("union"));

        Path mountPoint = Files.createDirectories(work.resolve("mnt"));
        mounted.add(mountPoint);
        Path cache = work.resolve("cache");
        CliTest.Run mount = Launcher.kmodpack("mount", base.toString(), mountPoint.toString(), "--allow-unsigned",
                "--layer", layers.get(0).toString(), "--layer", layers.get(1).toString(), "--log",
                work.resolve("mount.log").toString(), "--cache-dir", cache.toString());
        assertEquals(0, mount.exit(), mount.err());
        assertEquals(tree(expected), tree(mountPoint), "the union's entries, and the bytes of its files");
        FileTime indexTime;
        try (Bundle baseBundle = Bundle.open(base)) {
            indexTime = baseBundle.get("modules.dep").lastModified();
        }
        for (String file : concat(Depmod.INDEX_FILES, List.of("modules.order"))) {
            Path served = mountPoint.resolve(file);
            assertArrayEquals(Files.readAllBytes(expected.resolve(file)), Files.readAllBytes(served), file);
            assertEquals("rw-r--r--", PosixFilePermissions.toString(Files.getPosixFilePermissions(served)), file);
            assertEquals(indexTime, Files.getLastModifiedTime(served), file);
        }
        assertFalse(Files.exists(cache.resolve("unions")), "no union bundle is built for these layers");
        assertEquals(0, Launcher.kmodpack("umount", mountPoint.toString()).exit());
        try (Stream<Path> kept = Files.list(cache.resolve("union-index"))) {
            assertEquals(1, kept.count(), "the files made are kept for the next mount");
        }

        // The next mount serves the files kept; one damaged on disk is made again (the merge redone) and kept anew.
        Path kept;
        try (Stream<Path> files = Files.list(cache.resolve("union-index"))) {
            kept = files.findFirst().orElseThrow();
        }
        byte[] keptBytes = Files.readAllBytes(kept);
        for (boolean damaged : List.of(false, true)) {
            if (damaged) {
                byte[] flipped = keptBytes.clone();
                flipped[keptBytes.length / 2] ^= 0x01;
                Files.write(kept, flipped);
            }
            mount = Launcher.kmodpack("mount", base.toString(), mountPoint.toString(), "--allow-unsigned", "--layer",
                    layers.get(0).toString(), "--layer", layers.get(1).toString(), "--log",
                    work.resolve("mount.log").toString(), "--cache-dir", cache.toString());
            assertEquals(0, mount.exit(), mount.err());
            for (String file : concat(Depmod.INDEX_FILES, List.of("modules.order"))) {
                assertArrayEquals(Files.readAllBytes(expected.resolve(file)),
                        Files.readAllBytes(mountPoint.resolve(file)), file + (damaged ? ", made again" : ", kept"));
            }
            assertEquals(0, Launcher.kmodpack("umount", mountPoint.toString()).exit());
        }
        assertArrayEquals(keptBytes, Files.readAllBytes(kept), "the files made again are kept in place of the damaged");
    }

    /** Every path under {@code root} with its kind and, for a file, the SHA-256 of its bytes. */
    private static Map<String, String> tree(Path root) throws IOException {
        Map<String, String> entries = new TreeMap<>();
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path path : walk.toList()) {
                String kind = Files.isSymbolicLink(path) ? "-> " + Files.readSymbolicLink(path)
                        : Files.isDirectory(path) ? "directory"
                        : HexFormat.of().formatHex(Sha256.of(Files.readAllBytes(path)));
                entries.put(root.relativize(path).toString(), kind);
            }
        }
        return entries;
    }
}
