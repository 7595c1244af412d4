package org.kmodpack.testkernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

class DebianKernelsTest {

    @Test
    void cloudKernelIsUnpackedAndIndexed() throws IOException {
        Path moduleDir = DebianKernels.moduleDir("cloud");
        String kernelVersion = moduleDir.getFileName().toString();
        assertTrue(kernelVersion.endsWith("-cloud-amd64"), kernelVersion);
        assertTrue(Files.isRegularFile(moduleDir.resolve("modules.dep.bin")));
        try (Stream<Path> files = Files.walk(moduleDir.resolve("kernel"))) {
            long modules = files.filter(path -> path.getFileName().toString().matches(".*\\.ko(\\.xz|\\.zst|\\.gz)?"))
                    .count();
            assertTrue(modules > 1000, modules + " modules");
        }
        Path root = moduleDir.getParent().getParent().getParent();
        assertTrue(Files.isRegularFile(root.resolve("boot/vmlinuz-" + kernelVersion)));
        assertEquals(moduleDir, DebianKernels.moduleDir("cloud"), "a second call reuses the cache");
    }

    /** The package itself, for pack PACKAGE.deb: its version is the unpacked tree's. */
    @Test
    void cloudPackageIsDownloaded() throws IOException {
        Path deb = DebianKernels.deb("cloud");
        String kernelVersion = DebianKernels.moduleDir("cloud").getFileName().toString();
        assertTrue(deb.getFileName().toString().startsWith("linux-image-" + kernelVersion + "_")
                && deb.getFileName().toString().endsWith(".deb"), deb.toString());
        assertTrue(Files.size(deb) > 10_000_000, deb + ": " + Files.size(deb) + " bytes");
        assertEquals(deb, DebianKernels.deb("cloud"), "a second call reuses the cache");
    }

    @Test
    void scriptFailureBecomesUnavailableTestDataWithTheScriptsMessage() {
        // A skip (TestAbortedException) normally, an AssertionError under KMODPACK_REQUIRE_TEST_DATA=1.
        Throwable unavailable = assertThrows(Throwable.class, () -> DebianKernels.moduleDir("sparc"));
        assertTrue(unavailable.getMessage().contains("usage: fetch-debian-kernel [--deb] cloud|amd64"),
                unavailable.getMessage());
    }
}
