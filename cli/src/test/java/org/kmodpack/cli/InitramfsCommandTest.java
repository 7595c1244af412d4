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
 * {@code kmodpack initramfs} on Debian's cloud kernel: the archive's bytes depend only on the input, whatever
 * the compression. (What kmod finds in the archive is the initramfs module's InitramfsTest.)
 */
class InitramfsCommandTest {
    @TempDir
    Path work;

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
}
