package org.kmodpack.loader;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.kmodpack.testkernels.DebianKernels;
import org.kmodpack.testkernels.TestData;

/**
 * Compressed modules as the kernel gets them: a real module compressed by the real xz, zstd and gzip (with the
 * options kmod's build uses) comes back byte for byte when the kernel cannot decompress that format, and is
 * passed as it is, flagged MODULE_INIT_COMPRESSED_FILE, when /sys/module/compression names the format.
 */
class ModuleImageTest {
    @TempDir
    Path work;

    @ParameterizedTest
    @ValueSource(strings = {"xz", "zstd", "gzip"})
    void decompressedHereOrPassedToTheKernel(String format) throws IOException, InterruptedException {
        Path module = DebianKernels.moduleDir("cloud").resolve("kernel/drivers/net/dummy.ko");
        byte[] plain = Files.readAllBytes(module);
        Path copy = Files.copy(module, work.resolve("dummy.ko"));
        List<String> command = switch (format) {
            case "xz" -> List.of("xz", "--check=crc32", "--lzma2=dict=1MiB", "-k", copy.toString());
            case "zstd" -> List.of("zstd", "-q", "-k", copy.toString());
            default -> List.of("gzip", "-n", "-k", copy.toString());
        };
        Process process;
        try {
            process = new ProcessBuilder(command).inheritIO().start();
        } catch (IOException e) {
            TestData.unavailable(command.get(0) + " missing: apt-get install xz-utils zstd gzip");
            return;
        }
        assertEquals(0, process.waitFor(), String.join(" ", command));
        String suffix = switch (format) {
            case "xz" -> ".xz";
            case "zstd" -> ".zst";
            default -> ".gz";
        };
        byte[] compressed = Files.readAllBytes(work.resolve("dummy.ko" + suffix));

        ModuleImage here = ModuleImage.of("dummy.ko", compressed, Optional.empty());
        assertArrayEquals(plain, here.bytes());
        assertEquals(0, here.flags());
        ModuleImage otherFormat = ModuleImage.of("dummy.ko", compressed,
                Optional.of(format.equals("xz") ? "zstd" : "xz"));
        assertArrayEquals(plain, otherFormat.bytes());

        ModuleImage kernel = ModuleImage.of("dummy.ko", compressed, Optional.of(format));
        assertArrayEquals(compressed, kernel.bytes());
        assertEquals(Kernel.MODULE_INIT_COMPRESSED_FILE, kernel.flags());

        ModuleImage uncompressed = ModuleImage.of("dummy.ko", plain, Optional.of(format));
        assertArrayEquals(plain, uncompressed.bytes());
        assertEquals(0, uncompressed.flags());
    }
}
