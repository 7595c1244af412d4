package org.kmodpack.modules;

import java.util.Objects;
import java.util.Optional;

/**
 * What depmod is told besides the tree: its depmod.d configuration, the kernel's own exports (-F System.map or
 * -E Module.symvers), and whether to report symbols nothing exports (-e, which needs the kernel's exports).
 */
public record DepmodOptions(DepmodConfig config, Optional<KernelSymbols> kernelSymbols, boolean reportUnknownSymbols) {
    public DepmodOptions {
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(kernelSymbols, "kernelSymbols");
    }

    /** No configuration files, no kernel symbols, no reports: what packing a tree without modules.dep uses. */
    public static DepmodOptions defaults(String kernelVersion) {
        return new DepmodOptions(DepmodConfig.defaults(kernelVersion), Optional.empty(), false);
    }
}
