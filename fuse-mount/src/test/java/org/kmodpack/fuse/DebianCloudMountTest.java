package org.kmodpack.fuse;

import java.nio.file.Path;
import org.kmodpack.testkernels.DebianKernels;

/** Debian's real cloud kernel: 1100 modules, real depmod output, real dependencies. */
class DebianCloudMountTest extends MountedTreeTest {
    @Override
    Path moduleDirectory() {
        return DebianKernels.moduleDir("cloud");
    }
}
