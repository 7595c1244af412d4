package org.kmodpack.modules;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import org.kmodpack.format.ModinfoField;
import org.kmodpack.format.ModuleContent.Value;
import org.kmodpack.format.ModuleSection;
import org.kmodpack.format.ModuleSection.KeyTable;
import org.kmodpack.reader.Bundle;
import org.kmodpack.reader.Entry;

/**
 * The index files kmod 30's depmod writes for a union that the base's index answers for ({@link LayeredLookup}),
 * made by depmod's own writers ({@link Depmod#write}) from what is known of the union's modules without running
 * depmod over its tree:
 * <ul>
 * <li>the modules and their numbers: depmod's array over the union's module names and the union's modules.order;
 * <li>each module's modules.dep line: the merged lookup's (the base's lines stay depmod's for the union, or no
 * merge is made);
 * <li>a base module's aliases and softdeps: its .modinfo strings in the module's own order, as the base's modinfo
 * blob keeps them (the section's key tables hold them sorted and with '-' made '_', not as modules.alias writes
 * them); its exports: the base's modules.symbols.bin keys it owns;
 * <li>a layer module's: what its file says;
 * <li>the builtins: the base's modules.builtin and modules.builtin.modinfo, which the union's are.
 * </ul>
 * No base module file is read. depmod's warnings are not given: the union's are those of the base and the layers.
 */
final class UnionIndexFiles {
    private static final String SYMBOL_PREFIX = "symbol:";
    /** The .modinfo fields of a base module that depmod writes out: never stored as a reference into the file. */
    private static final Set<String> DEPMOD_READS = Set.of("alias", "softdep");

    private UnionIndexFiles() {
    }

    /** The index files, named as in {@link Depmod#INDEX_FILES} and in that order. */
    static Map<String, byte[]> write(Bundle base, ModuleSection section, LayeredLookup lookup, byte[] unionOrder)
            throws IOException {
        Map<String, String> chosen = new HashMap<>();
        for (int i = 0; i < lookup.moduleCount(); i++) {
            String name = lookup.moduleName(i);
            if (lookup.findModule(name) == i) {
                chosen.put(name, lookup.modulePath(i));
            }
        }
        Consumer<KmodProblem> unreported = problem -> { };
        List<DepmodModule> modules = ModuleOrder.arrange(chosen, unionOrder, unreported);
        Map<String, List<ModuleSymbols.Symbol>> baseExports = baseExports(section);
        // The whole blob at once: its blocks are decompressed and checked once, not once per module.
        byte[] blob = base.readModuleInfo(new ModuleSection.InfoRef(section.modinfoOffset(),
                Math.toIntExact(section.modinfoLength())));
        for (DepmodModule module : modules) {
            int number = lookup.findModule(module.name);
            if (lookup.isLayerModule(number)) {
                ModuleSymbols file = lookup.layerModuleSymbols(number);
                module.symbols = new ModuleSymbols(0, file.exports(), List.of(), file.aliases(), file.softdeps());
            } else {
                module.symbols = baseModule(base, section, blob, number,
                        baseExports.getOrDefault(module.name, List.of()));
            }
        }
        SymbolResolution symbols = SymbolResolution.resolve(modules, null,
                DepmodOptions.defaults(base.kernelVersion()), unreported);
        Depmod.Builtins builtins = Depmod.Builtins.index(optional(base, BuiltinFiles.BUILTIN),
                optional(base, BuiltinFiles.BUILTIN_MODINFO));
        return Depmod.write(modules, module -> line(lookup, module), symbols, builtins, false, unreported);
    }

    /** What depmod reads of a base module, as the section and the modinfo blob ({@code blob}) keep it. */
    private static ModuleSymbols baseModule(Bundle base, ModuleSection section, byte[] blob, int module,
            List<ModuleSymbols.Symbol> exports) throws IOException {
        List<String> aliases = new ArrayList<>();
        List<String> softdeps = new ArrayList<>();
        ModuleSection.InfoRef info = section.moduleInfo(module);
        for (ModinfoField field : ModuleSection.decodeInfo(blob,
                Math.toIntExact(info.offset() - section.modinfoOffset()), info.length(), DEPMOD_READS,
                base.toString())) {
            (field.key().equals("alias") ? aliases : softdeps).add(ModuleSymbols.cString(field.value()));
        }
        return new ModuleSymbols(0, exports, List.of(), aliases, softdeps);
    }

    /** Each base module's exports, by module name: the keys of modules.symbols.bin and their owners. */
    private static Map<String, List<ModuleSymbols.Symbol>> baseExports(ModuleSection section) {
        Map<String, List<ModuleSymbols.Symbol>> exports = new HashMap<>();
        for (int key = 0; key < section.keyCount(KeyTable.SYMBOLS); key++) {
            String pattern = new String(section.keyPattern(KeyTable.SYMBOLS, key), StandardCharsets.ISO_8859_1);
            if (!pattern.startsWith(SYMBOL_PREFIX)) {
                continue;
            }
            ModuleSymbols.Symbol symbol = new ModuleSymbols.Symbol(pattern.substring(SYMBOL_PREFIX.length()), 0,
                    false);
            for (Value owner : section.keyValues(KeyTable.SYMBOLS, key)) {
                exports.computeIfAbsent(owner.name(), name -> new ArrayList<>()).add(symbol);
            }
        }
        return exports;
    }

    /** The module's modules.dep line as the merged lookup gives it: its dependencies' paths. */
    private static List<String> line(LayeredLookup lookup, DepmodModule module) {
        int[] dependencies = lookup.moduleDeps(lookup.findModule(module.name));
        List<String> paths = new ArrayList<>(dependencies.length);
        for (int dependency : dependencies) {
            paths.add(lookup.modulePath(dependency));
        }
        return paths;
    }

    /** A file of the base's module directory that depmod reads, or null when the base has none. */
    private static byte[] optional(Bundle base, String name) throws IOException {
        Optional<Entry> file = base.find(name).filter(Entry::isFile);
        return file.isEmpty() ? null : base.readAllBytes(file.get());
    }
}
