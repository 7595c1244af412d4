package org.kmodpack.fuse;

import java.nio.file.Path;
import org.kmodpack.testkernels.DebianKernels;

/** Debian's generic amd64 kernel: 4000 modules, the largest tree users mount. */
class DebianAmd64MountTest extends MountedTreeTest {
    @Override
    Path moduleDirectory() {
        return DebianKernels.moduleDir("amd64");
    }
}
