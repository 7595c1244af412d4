package org.kmodpack.testkernels;

import java.util.List;

/**
 * One loadable module of a synthetic tree.
 *
 * @param stem        path below the module directory without extension, e.g. {@code kernel/lib/chain/chain_a}
 * @param info        the module's own .modinfo entries ({@code key=value}), in source order;
 *                    depends=, name= and vermagic= are added as modpost would
 * @param exports     symbols it exports
 * @param withCrcs    whether exports carry {@code __crc_} symbols (modversions) or only {@code __ksymtab_strings}
 * @param imports     symbols it calls
 * @param weakImports symbols it references weakly (no error if absent)
 * @param blobBytes   size of an extra initialised data section, to make the module big
 */
record ModuleSpec(String stem, Compression compression, List<String> info, List<String> exports, boolean withCrcs,
                  List<String> imports, List<String> weakImports, int blobBytes) {

    ModuleSpec {
        info = List.copyOf(info);
        exports = List.copyOf(exports);
        imports = List.copyOf(imports);
        weakImports = List.copyOf(weakImports);
    }

    /** The name kmod knows it by: the file's base name up to the first dot, '-' turned into '_'. */
    String modname() {
        String base = stem.substring(stem.lastIndexOf('/') + 1);
        return base.replace('-', '_');
    }

    String relativePath() {
        return stem + compression.extension();
    }

    /** The path as modules.order and modules.builtin write it, which is always the uncompressed name. */
    String uncompressedPath() {
        return stem + Compression.NONE.extension();
    }
}
