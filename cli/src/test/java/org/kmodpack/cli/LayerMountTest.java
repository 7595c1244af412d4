package org.kmodpack.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.kmodpack.modules.Depmod;
import org.kmodpack.testkernels.SyntheticKernel;
import org.kmodpack.testkernels.SyntheticKernels;
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
}
