package org.kmodpack.format;

import java.util.List;

/**
 * Everything a MODULES section stores, as the packer gathers it; lists in any order, since
 * {@link ModuleSectionEncoder} sorts them.
 */
public record ModuleContent(List<Module> modules, List<Key> aliases, List<Key> symbols, List<String> builtins,
        List<Key> builtinAliases, List<BuiltinInfo> builtinInfo, boolean hasBuiltinModinfo, String softdepConfig) {
    /** Module flag: the module file is missing or has no .modinfo (kmod: ENOENT). */
    public static final int FLAG_NO_MODINFO = 1;
    /** Module flag: the module file is not a valid ELF object (kmod: EINVAL). */
    public static final int FLAG_INVALID_ELF = 2;

    /** One module of modules.dep.bin: {@code deps} are indexes into {@link #modules()}, in the line's order. */
    public record Module(String name, String path, int entry, int[] deps, List<ModinfoField> info, int flags) {
    }

    /** A key of a depmod index (an alias pattern, {@code symbol:NAME}, a builtin name) and its values. */
    public record Key(String key, List<Value> values) {
    }

    /** A module name and depmod's priority for it (lower first). */
    public record Value(String name, int priority) {
    }

    public record BuiltinInfo(String name, List<ModinfoField> info) {
    }
}
