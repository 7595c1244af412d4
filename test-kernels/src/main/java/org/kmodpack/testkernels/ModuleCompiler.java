package org.kmodpack.testkernels;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Turns a {@link ModuleSpec} into a module file: C source, gcc, then the module's compressor. */
final class ModuleCompiler {
    private final TreeSpec tree;
    private final SymbolOwners owners;
    private final Path compiler;

    ModuleCompiler(TreeSpec tree) {
        this.tree = tree;
        this.owners = new SymbolOwners(tree.modules());
        Toolchain toolchain = tree.toolchain();
        this.compiler = Commands.require(toolchain.compiler(), toolchain.debianPackage());
    }

    /** Builds in its own directory {@code workDir} and returns the finished (possibly compressed) file there. */
    Path compile(ModuleSpec module, Path workDir) throws IOException {
        Files.createDirectories(workDir);
        String base = module.stem().substring(module.stem().lastIndexOf('/') + 1);
        // The source's file name ends up in the object's symbol table, so keep it as kbuild would: NAME.c.
        String source = base + ".c";
        String object = base + Compression.NONE.extension();
        Files.writeString(workDir.resolve(source), CSource.render(module, tree, owners), StandardCharsets.UTF_8);
        if (module.blobBytes() > 0) {
            BlobContent.write(workDir.resolve(CSource.BLOB_FILE), module.blobBytes(), CSource.crc(module.stem()));
        }
        // -fno-pie as the kernel builds: Debian's gcc defaults to PIE, whose GOT references are not module-like.
        Commands.check(workDir, List.of(compiler.toString(), "-c", "-O0", "-fno-asynchronous-unwind-tables",
                "-fno-pie", "-o", object, source));
        module.compression().compress(workDir.resolve(object));
        return workDir.resolve(base + module.compression().extension());
    }
}
