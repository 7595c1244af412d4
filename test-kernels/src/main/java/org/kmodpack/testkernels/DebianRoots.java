package org.kmodpack.testkernels;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

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
        Path script = TestKernelsLocation.moduleDir().resolve(SCRIPT);
        List<String> command = List.of("bash", script.toString());
        ProcessResult result;
        try {
            result = Commands.run(script.getParent(), command);
        } catch (IOException e) {
            result = new ProcessResult(command, -1, "", "cannot start bash: " + e.getMessage());
        }
        String output = result.stdout().strip();
        Path root = output.isEmpty() ? null : Path.of(output.substring(output.lastIndexOf('\n') + 1));
        if (!result.succeeded() || root == null || !Files.isExecutable(root.resolve("usr/lib/systemd/systemd"))) {
            TestData.unavailable("Debian systemd root unavailable: " + result.describe());
        }
        return root;
    }
}
