package org.kmodpack.testkernels;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A layer directory of real out-of-tree modules built by test-kernels/build-layer-modules against Debian's
 * linux-headers package of a kernel: extra/kmodpack/kp_crc_user.ko (needs crc32c, exported by the kernel's
 * libcrc32c module) and updates/dummy.ko (overrides the in-tree drivers/net/dummy.ko). The first call downloads
 * the headers packages and compiles (about a minute); later calls only read the cache.
 */
public final class DebianLayerModules {
    private static final String SCRIPT = "build-layer-modules";

    private DebianLayerModules() {
    }

    /**
     * The layer directory for kernel {@code kernelVersion}; skips the test (fails it under
     * KMODPACK_REQUIRE_TEST_DATA=1) when the headers cannot be had or the build fails.
     */
    public static Path layerDir(String kernelVersion) {
        Path script = TestKernelsLocation.moduleDir().resolve(SCRIPT);
        List<String> command = List.of("bash", script.toString(), kernelVersion);
        ProcessResult result;
        try {
            result = Commands.run(script.getParent(), command);
        } catch (IOException e) {
            result = new ProcessResult(command, -1, "", "cannot start bash: " + e.getMessage());
        }
        String output = result.stdout().strip();
        Path layer = output.isEmpty() ? null : Path.of(output.substring(output.lastIndexOf('\n') + 1));
        if (!result.succeeded() || layer == null
                || !Files.isRegularFile(layer.resolve("extra/kmodpack/kp_crc_user.ko"))) {
            TestData.unavailable("out-of-tree modules for " + kernelVersion + " unavailable: " + result.describe());
        }
        return layer;
    }
}
