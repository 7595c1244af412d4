package org.kmodpack.testkernels;

import static org.kmodpack.testkernels.ModuleBuilder.module;

import java.util.List;

/** A few modules built by a cross compiler, for ELF parsing of other classes and byte orders. */
final class CrossTree {
    private CrossTree() {
    }

    static TreeSpec spec(String kernelVersion, Toolchain toolchain) {
        List<ModuleSpec> modules = List.of(
                module("kernel/lib/xchain_a", "cross chain head").compressed(Compression.XZ)
                        .imports("xchain_b_run").build(),
                module("kernel/lib/xchain_b", "cross chain link").exports("xchain_b_run").imports("xchain_c_run")
                        .build(),
                module("kernel/lib/xchain_c", "cross chain end").compressed(Compression.ZSTD)
                        .alias("platform:xchain-c", "of:N*T*Ckmodpack,xchain*").exports("xchain_c_run").build(),
                module("kernel/drivers/misc/xsoft", "cross softdep").softdep("pre: xchain_c post: xchain_a").build());
        return new TreeSpec(kernelVersion, toolchain, modules, List.of(), List.of(), List.of());
    }
}
