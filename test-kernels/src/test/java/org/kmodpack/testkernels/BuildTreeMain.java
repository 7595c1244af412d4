package org.kmodpack.testkernels;

import java.io.IOException;

/** Entry point for {@link TreeCacheTest}'s child JVMs: builds one tree and prints its module directory. */
final class BuildTreeMain {
    private BuildTreeMain() {
    }

    public static void main(String[] args) throws IOException {
        System.out.println(SyntheticKernels.moduleDir(SyntheticKernel.valueOf(args[0])));
    }
}
