package org.kmodpack.testkernels;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A Debian 12 root file system that boots with systemd (merged /usr, no kernel modules), built once by
 * test-kernels/build-debian-root with mmdebstrap into the kmodpack cache. The first call takes a few minutes;
 * later calls only read the cache. Never boot it in place: boots work on a copy-on-write layer over it.
 */
public final class DebianRoots {
    private static final String SCRIPT = "build-debian-root";

    private DebianRoots() {
    }

    /**
     * The cached systemd root. Skips the test (fails it under KMODPACK_REQUIRE_TEST_DATA=1) when it cannot be
     * built: not root, no mmdebstrap, no network.
     */
    public static Path systemd() {
        return Commands.runScript(TestKernelsLocation.moduleDir().resolve(SCRIPT)).madeOrUnavailable(
                root -> Files.isExecutable(root.resolve("usr/lib/systemd/systemd")), "Debian systemd root");
    }
}
