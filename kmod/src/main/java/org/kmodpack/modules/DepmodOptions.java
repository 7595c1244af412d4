package org.kmodpack.modules;

import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * What depmod is told besides the tree: its depmod.d configuration, the kernel's own exports (-F System.map or
 * -E Module.symvers), whether to report symbols nothing exports (-e, which needs the kernel's exports), the
 * architecture's symbol prefix (-P, {@link #NO_SYMBOL_PREFIX} for none), whether to report an alias a module
 * gives twice (-w), and who is told each dependency as it is found (-v).
 */
public record DepmodOptions(DepmodConfig config, Optional<KernelSymbols> kernelSymbols, boolean reportUnknownSymbols,
        char symbolPrefix, boolean warnDuplicates, Consumer<Dependency> dependencies) {
    /** No -P: no character is taken off symbol names. */
    public static final char NO_SYMBOL_PREFIX = 0;

    /**
     * A module needs a symbol another module exports, the first symbol that makes it depend on that module: what
     * depmod -v prints. Paths as modules.dep writes them (relative to the module directory, or absolute).
     */
    public record Dependency(String module, String symbol, String owner) {
    }

    public DepmodOptions {
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(kernelSymbols, "kernelSymbols");
        Objects.requireNonNull(dependencies, "dependencies");
    }

    /** No -P, -w or -v. */
    public DepmodOptions(DepmodConfig config, Optional<KernelSymbols> kernelSymbols, boolean reportUnknownSymbols) {
        this(config, kernelSymbols, reportUnknownSymbols, NO_SYMBOL_PREFIX, false, dependency -> {
        });
    }

    /** No configuration files, no kernel symbols, no reports: what packing a tree without modules.dep uses. */
    public static DepmodOptions defaults(String kernelVersion) {
        return new DepmodOptions(DepmodConfig.defaults(kernelVersion), Optional.empty(), false);
    }
}
