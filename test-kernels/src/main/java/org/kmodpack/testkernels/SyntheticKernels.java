package org.kmodpack.testkernels;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Small module trees compiled from generated C with gcc and indexed by the system's depmod, for tests that need
 * kmod's real answers. Trees live in test-kernels/target/synthetic/NAME; that directory is found through the
 * system property {@code kmodpack.testkernels.dir} (the test-kernels module directory) if set, else by walking up
 * from the working directory to the reactor root. Missing gcc, depmod or cross compilers skip the calling test
 * (or fail it under KMODPACK_REQUIRE_TEST_DATA=1), naming the Debian package to install.
 */
public final class SyntheticKernels {
    private SyntheticKernels() {
    }

    /** Builds (or reuses, if already built by this generator version) the named tree and returns its module directory, i.e. ROOT/lib/modules/KVER. */
    public static Path moduleDir(SyntheticKernel kernel) throws IOException {
        return TreeWriter.moduleDir(root(kernel), kernel.kernelVersion());
    }

    /** ROOT/boot/System.map-KVER: the tree's kernel exports, for depmod -F and kmodpack pack --system-map. */
    public static Path systemMap(SyntheticKernel kernel) throws IOException {
        return root(kernel).resolve("boot/System.map-" + kernel.kernelVersion());
    }

    /** ROOT such that moduleDir == ROOT/lib/modules/KVER (for depmod -b ROOT / modprobe -d ROOT). */
    public static Path root(SyntheticKernel kernel) throws IOException {
        return TreeCache.root(kernel);
    }
}
