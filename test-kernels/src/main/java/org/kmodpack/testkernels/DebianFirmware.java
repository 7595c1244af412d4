package org.kmodpack.testkernels;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * Debian's firmware-linux-free package (in main), unpacked by test-kernels/fetch-debian-firmware into the kmodpack
 * cache: real firmware (carl9170, usbdux*, the serial_cs and pcnet_cs CIS files) for the modules of Debian's
 * kernels. The first call may download the package; later calls only read the cache.
 */
public final class DebianFirmware {
    private DebianFirmware() {
    }

    /**
     * The package's firmware directory ROOT/lib/firmware. Skips the test (fails it under
     * KMODPACK_REQUIRE_TEST_DATA=1) when the package cannot be had.
     */
    public static Path directory() {
        return Commands.runScript(TestKernelsLocation.fetchFirmwareScript()).madeOrUnavailable(
                dir -> Files.isRegularFile(dir.resolve("carl9170-1.fw")), "Debian's firmware-linux-free package");
    }

    /** The package itself (firmware-linux-free_VERSION_all.deb), as downloaded; fetched as {@link #directory} is. */
    public static Path packageFile() {
        // fetch-debian-firmware's cache: CACHE/debian/firmware-linux-free/root/lib/firmware and CACHE/debs/*.deb.
        Path debs = directory().getParent().getParent().getParent().getParent().getParent().resolve("debs");
        try (Stream<Path> files = Files.list(debs)) {
            return files.filter(file -> file.getFileName().toString().matches("firmware-linux-free_.*_all\\.deb"))
                    .sorted().reduce((first, second) -> second).orElseThrow(() -> new IllegalStateException(
                            "no firmware-linux-free_*_all.deb in " + debs + "; delete " + debs.getParent()
                                    .resolve("debian/firmware-linux-free") + " to fetch it again"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
