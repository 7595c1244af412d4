package org.kmodpack.testkernels;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Real Debian kernel packages, and their module trees unpacked and depmod'ed, by test-kernels/fetch-debian-kernel
 * into the kmodpack cache. The first call per flavour may download a package (about 30 s); later calls only read the cache.
 */
public final class DebianKernels {
    private DebianKernels() {
    }

    /**
     * The module directory ROOT/lib/modules/KVER of the current Debian kernel of {@code flavour} ("cloud" or
     * "amd64"); ROOT/boot holds its vmlinuz. Skips the test (fails it under KMODPACK_REQUIRE_TEST_DATA=1) when the
     * package cannot be had.
     */
    public static Path moduleDir(String flavour) {
        return Commands.runScript(TestKernelsLocation.fetchScript(), flavour).madeOrUnavailable(
                dir -> Files.isRegularFile(dir.resolve("modules.dep.bin")), "Debian " + flavour + " kernel");
    }

    /**
     * The current Debian kernel image package of {@code flavour} ("cloud" or "amd64"), as downloaded: what
     * {@code kmodpack pack PACKAGE.deb} reads. Skips the test (fails it under KMODPACK_REQUIRE_TEST_DATA=1) when it
     * cannot be had.
     */
    public static Path deb(String flavour) {
        return Commands.runScript(TestKernelsLocation.fetchScript(), "--deb", flavour).madeOrUnavailable(
                Files::isRegularFile, "Debian " + flavour + " kernel package");
    }
}
