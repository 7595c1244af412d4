package org.kmodpack.testkernels;

import java.nio.file.Files;
import java.nio.file.Path;

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
}
