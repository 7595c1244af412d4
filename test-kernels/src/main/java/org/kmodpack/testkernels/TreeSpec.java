package org.kmodpack.testkernels;

import java.util.List;

/**
 * Everything that defines one synthetic tree. Its {@code toString()} is part of the reuse marker, so any change
 * to a definition rebuilds the tree.
 *
 * @param kernelSymbols symbols the kernel image itself exports (written to System.map for depmod -F)
 */
record TreeSpec(String kernelVersion, Toolchain toolchain, List<ModuleSpec> modules, List<BuiltinModule> builtins,
                List<String> kernelSymbols, List<TreeEntry> extras) {

    TreeSpec {
        modules = List.copyOf(modules);
        builtins = List.copyOf(builtins);
        kernelSymbols = List.copyOf(kernelSymbols);
        extras = List.copyOf(extras);
    }

    String vermagic() {
        return kernelVersion + " SMP preempt mod_unload modversions";
    }
}
