package org.kmodpack.modules;

import java.nio.ByteBuffer;

/**
 * What depmod and the packer's module scan take from one module file, read once from its bytes: a module tree
 * streamed out of an archive keeps these rather than the modules' bytes, which go on to be compressed and are
 * gone by the time depmod runs. A {@link ModuleTree} gives them through {@link ModuleTree#facts}.
 */
public final class ModuleFacts {
    /** Modules need many of the same symbols: each reading thread shares them through its pool, as depmod's do. */
    private static final ThreadLocal<ModuleSymbols.SymbolPool> POOLS =
            ThreadLocal.withInitial(ModuleSymbols.SymbolPool::new);

    final ModuleSymbols symbols;
    /** The module's modinfo as the MODULES section stores it when the module is a regular file of the bundle. */
    final ModuleScanner.FileInfo stored;
    /** As {@link #stored}, for a module the bundle reaches through a symlink (its signature then stored whole). */
    final ModuleScanner.FileInfo linked;

    private ModuleFacts(ModuleSymbols symbols, ModuleScanner.FileInfo stored, ModuleScanner.FileInfo linked) {
        this.symbols = symbols;
        this.stored = stored;
        this.linked = linked;
    }

    /**
     * Reads the module file {@code raw}, named {@code path} in its module directory (as modules.dep names it),
     * as depmod and the module scan read it; a file that is no valid module gives what they give for it. Safe to
     * call from several threads.
     */
    public static ModuleFacts read(String path, byte[] raw) {
        ModuleSymbols symbols = ModuleSymbols.read(path, ByteBuffer.wrap(raw), POOLS.get());
        ModuleScanner.FileInfo[] info = ModuleScanner.modinfoBothWays(path, raw);
        return new ModuleFacts(symbols, info[0], info[1]);
    }
}
