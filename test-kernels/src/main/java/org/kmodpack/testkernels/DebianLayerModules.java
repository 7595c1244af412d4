package org.kmodpack.testkernels;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A layer directory of real out-of-tree modules built by test-kernels/build-layer-modules against Debian's
 * linux-headers package of a kernel: extra/kmodpack/kp_crc_user.ko (needs crc32c, exported by the kernel's
 * libcrc32c module) and updates/dummy.ko (overrides the in-tree drivers/net/dummy.ko). The first call downloads
 * the headers packages and compiles (about a minute); later calls only read the cache. The same build makes
 * {@link #firmwareTree}.
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
        return Commands.runScript(TestKernelsLocation.moduleDir().resolve(SCRIPT), kernelVersion).madeOrUnavailable(
                layer -> Files.isRegularFile(layer.resolve("extra/kmodpack/kp_crc_user.ko")),
                "out-of-tree modules for " + kernelVersion);
    }

    /**
     * A layer directory of extra/kmodpack/kp_unknown_user.ko, which needs kp_made_up_symbol that nothing exports,
     * built the same way; skips or fails as {@link #layerDir} does.
     */
    public static Path unknownSymbolLayerDir(String kernelVersion) {
        return layerDir(kernelVersion).resolveSibling("unknown-layer");
    }

    /** The Module.symvers of Debian's linux-headers package the layers are built against: the kernel's exports. */
    public static Path moduleSymvers(String kernelVersion) {
        return layerDir(kernelVersion).resolveSibling("headers/usr/src/linux-headers-" + kernelVersion
                + "/Module.symvers");
    }

    /**
     * The module directory ROOT/lib/modules/KVER, indexed by depmod, of extra/kmodpack/kp_firmware.ko (which loads
     * only when request_firmware gives it kmodpack/kp_firmware.bin, and shows the CRC-32 of the bytes it got as its
     * parameter checksum) and updates/dummy.ko (no firmware); skips or fails as {@link #layerDir} does.
     */
    public static Path firmwareTree(String kernelVersion) {
        return layerDir(kernelVersion).resolveSibling("firmware-tree/lib/modules/" + kernelVersion);
    }
}
