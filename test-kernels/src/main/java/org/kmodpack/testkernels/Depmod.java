package org.kmodpack.testkernels;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Runs the system's depmod over a synthetic tree, treating any complaint as a broken tree definition. */
final class Depmod {
    /** The index files kmod 30 writes; readers are tested against all of them. */
    static final List<String> OUTPUTS = List.of("modules.dep", "modules.dep.bin", "modules.alias",
            "modules.alias.bin", "modules.symbols", "modules.symbols.bin", "modules.softdep", "modules.builtin.bin",
            "modules.builtin.alias.bin", "modules.devname");

    private Depmod() {
    }

    static void run(Path root, String kernelVersion, Path systemMap) throws IOException {
        Path depmod = Commands.require("depmod", "kmod");
        Path moduleDir = TreeWriter.moduleDir(root, kernelVersion);
        // -e with -F: report every import no module or the kernel image exports, which would lose a dependency.
        ProcessResult result = Commands.run(root, List.of(depmod.toString(), "-e", "-F", systemMap.toString(),
                "-b", root.toString(), kernelVersion));
        if (!result.succeeded() || !result.stderr().isBlank()) {
            throw new IOException("depmod did not accept the synthetic tree " + moduleDir + ": " + result.describe()
                    + "\nFix the tree definition in org.kmodpack.testkernels so that depmod runs silently.");
        }
        for (String output : OUTPUTS) {
            if (!Files.isRegularFile(moduleDir.resolve(output))) {
                throw new IOException("depmod ran but did not write " + moduleDir.resolve(output)
                        + "; check that " + depmod + " is kmod 30 or later (depmod --version)");
            }
        }
    }
}
