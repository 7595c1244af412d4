package org.kmodpack.fuse;

import java.io.IOException;
import java.nio.file.Path;
import org.kmodpack.testkernels.SyntheticKernel;
import org.kmodpack.testkernels.SyntheticKernels;

/** The synthetic tree with every odd case: compressed modules, odd names, hard links, outside symlinks. */
class SyntheticMountTest extends MountedTreeTest {
    @Override
    Path moduleDirectory() throws IOException {
        return SyntheticKernels.moduleDir(SyntheticKernel.BASIC);
    }
}
