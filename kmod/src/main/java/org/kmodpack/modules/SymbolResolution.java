package org.kmodpack.modules;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * depmod's table of symbols and the dependencies it gives: the kernel's exports (with -F or -E) and a few the
 * kernel fakes, then each module's exports in array order, a later exporter replacing an earlier one; then each
 * module depends on the owners of the symbols it needs. With {@code report} (-e), needed symbols nobody exports
 * and, with -E, versions that differ from the exporter's are reported, weak symbols excepted.
 */
final class SymbolResolution {
    /** A symbol in depmod's table: its exporter (null for the kernel) and its version. */
    record Owned(String name, DepmodModule owner, long crc) {
    }

    /** The names depmod adds to the kernel's exports (below), which the loader provides, with version 0. */
    static final List<String> LOADER_SYMBOLS = List.of("__this_module", "_GLOBAL_OFFSET_TABLE_", "TOC.");

    private final Map<String, Owned> symbols = new HashMap<>();
    private final char prefix;

    private SymbolResolution(char prefix) {
        this.prefix = prefix;
    }

    /**
     * With -P, a module's export and every name looked up lose one leading prefix character; the kernel's
     * exports lost it as they were read ({@link KernelSymbols}) and the names the loader provides keep theirs.
     */
    static SymbolResolution resolve(List<DepmodModule> modules, KernelSymbols kernel, DepmodOptions options,
            Consumer<KmodProblem> problems) {
        SymbolResolution table = new SymbolResolution(options.symbolPrefix());
        if (kernel != null) {
            for (KernelSymbols.Symbol symbol : kernel.symbols()) {
                table.add(symbol.name(), null, symbol.crc());
            }
            // The loader provides __this_module; s390 and ppc64 (as .TOC.) a global offset table.
            table.add("__this_module", null, 0);
            table.add("_GLOBAL_OFFSET_TABLE_", null, 0);
            if (table.find("TOC.") == null) {
                table.add("TOC.", null, 0);
            }
        }
        for (DepmodModule module : modules) {
            for (ModuleSymbols.Symbol export : module.symbols.exports()) {
                table.add(withoutPrefix(export.name(), table.prefix), module, export.crc());
            }
        }
        boolean checksVersions = kernel != null && kernel.checksVersions();
        boolean reports = options.reportUnknownSymbols() && kernel != null;
        for (DepmodModule module : modules) {
            for (ModuleSymbols.Symbol needed : module.symbols.imports()) {
                Owned symbol = table.find(needed.name());
                if (symbol == null) {
                    if (reports && !needed.weak()) {
                        problems.accept(new KmodProblem(KmodProblem.Kind.SYMBOL_UNKNOWN, module.path, 0,
                                needed.name()));
                    }
                    continue;
                }
                if (checksVersions && symbol.crc() != needed.crc() && !needed.weak() && reports) {
                    problems.accept(new KmodProblem(KmodProblem.Kind.SYMBOL_VERSION_MISMATCH, module.path, 0,
                            needed.name()));
                }
                if (symbol.owner() != null && module.addDependency(symbol.owner())) {
                    options.dependencies().accept(new DepmodOptions.Dependency(module.path, symbol.name(),
                            symbol.owner().path));
                }
            }
        }
        return table;
    }

    private void add(String name, DepmodModule owner, long crc) {
        symbols.put(name, new Owned(name, owner, crc));
    }

    /** {@code name} without one leading {@code prefix} character (-P). */
    static String withoutPrefix(String name, char prefix) {
        return prefix != DepmodOptions.NO_SYMBOL_PREFIX && !name.isEmpty() && name.charAt(0) == prefix
                ? name.substring(1) : name;
    }

    /** depmod_symbol_find: a leading '.' (ppc64 function descriptors) is not part of the name, nor the prefix. */
    private Owned find(String name) {
        return symbols.get(lookupName(name, prefix));
    }

    /** The name depmod looks a needed symbol up by: without a leading '.', then without the -P prefix. */
    static String lookupName(String needed, char prefix) {
        return withoutPrefix(needed.startsWith(".") ? needed.substring(1) : needed, prefix);
    }

    /** The symbols some module exports, in no particular order. */
    List<Owned> moduleExports() {
        return symbols.values().stream().filter(symbol -> symbol.owner() != null).toList();
    }
}
