package org.kmodpack.testkernels;

import static org.kmodpack.testkernels.ModuleBuilder.module;

import java.util.List;

/**
 * A tree with .ko.gz modules for pack/unpack round trips. Debian's kmod 30 is built without zlib, so its depmod
 * ignores .ko.gz files: the indexes list only the other modules, and no module here may import from a .ko.gz one.
 */
final class GzipTree {
    private GzipTree() {
    }

    static TreeSpec spec(String kernelVersion) {
        List<ModuleSpec> modules = List.of(
                module("kernel/lib/gz/gz_a", "gzip chain head").compressed(Compression.GZIP)
                        .exports("gz_a_run").imports("gz_b_run").build(),
                module("kernel/lib/gz/gz_b", "gzip chain end").compressed(Compression.GZIP)
                        .alias("platform:gz-b").exports("gz_b_run").build(),
                module("kernel/lib/gz/plain_c", "uncompressed").alias("platform:plain-c")
                        .exports("plain_c_run").build(),
                module("kernel/lib/gz/xz_d", "xz, depends on plain_c").compressed(Compression.XZ)
                        .softdep("pre: gz_b").imports("plain_c_run").build());
        return new TreeSpec(kernelVersion, Toolchain.HOST, modules, List.of(), List.of(), List.of());
    }
}
