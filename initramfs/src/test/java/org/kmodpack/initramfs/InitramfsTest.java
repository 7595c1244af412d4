package org.kmodpack.initramfs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.commons.compress.archivers.cpio.CpioArchiveEntry;
import org.apache.commons.compress.archivers.cpio.CpioArchiveInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.kmodpack.modules.ModuleIndex;
import org.kmodpack.packer.PackOptions;
import org.kmodpack.packer.PackProgress;
import org.kmodpack.packer.Packer;
import org.kmodpack.reader.Bundle;
import org.kmodpack.reader.Progress;
import org.kmodpack.testkernels.DebianKernels;
import org.kmodpack.testkernels.Kmod;

/**
 * Initramfs on Debian's cloud kernel: the real kmod, run on the unpacked archive, finds for each requested name
 * the same modules in the same order as on the full tree (so the restricted modules.dep, modules.alias and the
 * .bin tries written for them are right).
 */
class InitramfsTest {
    private static final List<List<String>> REQUESTS = List.of(List.of("btrfs"),
            List.of("virtio_pci", "virtio_blk", "ext4", "fs-xfs"), List.of("overlay", "fuse"));

    @TempDir
    Path work;

    @Test
    void kmodFindsTheSameClosureInTheArchiveAsInTheFullTree() throws IOException {
        Path moduleDir = DebianKernels.moduleDir("cloud");
        Path root = moduleDir.getParent().getParent().getParent();
        String kver = moduleDir.getFileName().toString();
        Path bundlePath = work.resolve("cloud.kpack");
        Packer.pack(moduleDir, bundlePath, PackOptions.defaults(), PackProgress.NONE);
        try (Bundle bundle = Bundle.open(bundlePath)) {
            ModuleIndex index = ModuleIndex.of(bundle);
            String dir = index.moduleDirectory("");
            Initramfs initramfs = new Initramfs(bundle, index,
                    index.modprobe(index.loadConfig(null, dir, problem -> { }), dir, problem -> { }));
            for (List<String> names : REQUESTS) {
                Path archive = work.resolve("initramfs.cpio");
                try (OutputStream out = Files.newOutputStream(archive)) {
                    initramfs.write(initramfs.closure(names), out, Progress.NONE);
                }
                Path extracted = Files.createTempDirectory(work, "x");
                extract(Files.newInputStream(archive), extracted);
                for (String name : names) {
                    for (String mode : List.of("-D", "-R")) {
                        Kmod.Result full = Kmod.run(List.of("modprobe", "-d", root.toString(), "-S", kver, mode,
                                name));
                        Kmod.Result held = Kmod.run(List.of("modprobe", "-d", extracted.toString(), "-S", kver,
                                mode, name));
                        assertEquals(0, full.exit(), full.err());
                        assertEquals(full.out().replace(root.toString(), "ROOT"),
                                held.out().replace(extracted.toString(), "ROOT"), mode + " " + name + ": "
                                + held.err());
                        assertEquals("", held.err(), mode + " " + name);
                    }
                }
            }
        }
    }

    private static void extract(InputStream in, Path dest) throws IOException {
        try (CpioArchiveInputStream cpio = new CpioArchiveInputStream(in)) {
            for (CpioArchiveEntry e = cpio.getNextCPIOEntry(); e != null; e = cpio.getNextCPIOEntry()) {
                Path target = dest.resolve(e.getName()).normalize();
                assertTrue(target.startsWith(dest), e.getName());
                if (e.isDirectory()) {
                    Files.createDirectories(target);
                } else {
                    Files.createDirectories(target.getParent());
                    Files.copy(cpio, target);
                }
            }
        }
    }
}
