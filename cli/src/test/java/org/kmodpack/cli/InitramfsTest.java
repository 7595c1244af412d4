package org.kmodpack.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.luben.zstd.ZstdInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.commons.compress.archivers.cpio.CpioArchiveEntry;
import org.apache.commons.compress.archivers.cpio.CpioArchiveInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.kmodpack.testkernels.DebianKernels;

/**
 * {@code kmodpack initramfs} on Debian's cloud kernel: the real kmod, run on the unpacked archive, finds for
 * each requested name the same modules in the same order as on the full tree (so the restricted modules.dep,
 * modules.alias and .bin tries are right), and the archive's bytes depend only on the input.
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
        Path bundle = work.resolve("cloud.kpack");
        assertEquals(0, CliTest.run("pack", moduleDir.toString(), "-o", bundle.toString()).exit());
        for (List<String> names : REQUESTS) {
            Path archive = work.resolve("initramfs.cpio");
            List<String> args = new ArrayList<>(List.of("initramfs", bundle.toString(), "--allow-unsigned",
                    "--compress", "none", "-o", archive.toString()));
            args.addAll(names);
            CliTest.Run run = CliTest.run(args.toArray(String[]::new));
            assertEquals(0, run.exit(), run.err());
            Path extracted = Files.createTempDirectory(work, "x");
            extract(Files.newInputStream(archive), extracted);
            for (String name : names) {
                for (String mode : List.of("-D", "-R")) {
                    KmodOracle.Result full = KmodOracle.run(List.of("modprobe", "-d", root.toString(), "-S", kver,
                            mode, name));
                    KmodOracle.Result held = KmodOracle.run(List.of("modprobe", "-d", extracted.toString(), "-S",
                            kver, mode, name));
                    assertEquals(0, full.exit(), full.err());
                    assertEquals(full.out().replace(root.toString(), "ROOT"),
                            held.out().replace(extracted.toString(), "ROOT"), mode + " " + name + ": " + held.err());
                    assertEquals("", held.err(), mode + " " + name);
                }
            }
        }
    }

    @Test
    void sameInputSameBytesWhateverTheCompression() throws IOException {
        Path moduleDir = DebianKernels.moduleDir("cloud");
        Path bundle = work.resolve("cloud.kpack");
        assertEquals(0, CliTest.run("pack", moduleDir.toString(), "-o", bundle.toString()).exit());
        byte[] first = build(bundle, "none", "a.cpio");
        assertArrayEquals(first, build(bundle, "none", "b.cpio"));
        byte[] zstd = build(bundle, "zstd", "c.cpio.zst");
        try (InputStream in = new ZstdInputStream(new java.io.ByteArrayInputStream(zstd))) {
            assertArrayEquals(first, in.readAllBytes());
        }
        assertArrayEquals(build(bundle, "gzip", "d.cpio.gz"), build(bundle, "gzip", "e.cpio.gz"));
        assertArrayEquals(build(bundle, "xz", "f.cpio.xz"), build(bundle, "xz", "g.cpio.xz"));
        List<String> names = new ArrayList<>();
        try (CpioArchiveInputStream cpio = new CpioArchiveInputStream(new java.io.ByteArrayInputStream(first))) {
            for (CpioArchiveEntry e = cpio.getNextCPIOEntry(); e != null; e = cpio.getNextCPIOEntry()) {
                assertEquals(0, e.getTime());
                names.add(e.getName());
            }
        }
        assertTrue(names.contains("lib/modules/" + moduleDir.getFileName() + "/kernel/fs/btrfs/btrfs.ko"), names
                .toString());
    }

    private byte[] build(Path bundle, String compress, String file) throws IOException {
        Path out = work.resolve(file);
        CliTest.Run run = CliTest.run("initramfs", bundle.toString(), "--allow-unsigned", "--compress", compress,
                "-o", out.toString(), "btrfs", "overlay");
        assertEquals(0, run.exit(), run.err());
        return Files.readAllBytes(out);
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
