package org.kmodpack.modules;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.kmodpack.format.ModuleContent.Value;
import org.kmodpack.format.ModuleSection;
import org.kmodpack.format.ModuleSection.KeyTable;

/**
 * depmod's modules.dep, modules.alias and modules.symbols (text and .bin) of a bundle's tree restricted to some of
 * its modules, as the lines of the tree's own files for those modules, made from the bundle's module index and
 * the modules' own files rather than from the tree's text files: those lie at the end of the data stream, in
 * blocks a remote reader would otherwise fetch for them alone. A module's priority (its line in modules.dep) is
 * what the index's alias and symbol values record for it; only a module that has neither is looked up in the
 * tree's modules.dep.
 */
public final class ClosureDepmodFiles {
    private static final String SYMBOL_PREFIX = "symbol:";

    private ClosureDepmodFiles() {
    }

    private record Held(String name, String path, List<String> dependencyPaths, byte[] file, int priority) {
    }

    /**
     * The six files, by name, for the modules {@code files} holds (module name to the bytes of its file as the
     * bundle stores it).
     */
    public static Map<String, byte[]> write(ModuleIndex index, Map<String, byte[]> files) throws IOException {
        ModuleSection section = index.section();
        Map<String, Integer> priorities = priorities(index, section, files.keySet());
        List<Held> held = new ArrayList<>();
        for (Map.Entry<String, byte[]> file : files.entrySet()) {
            ModuleIndex.Module module = index.module(file.getKey()).orElseThrow();
            List<String> dependencyPaths = new ArrayList<>();
            for (String dependency : module.dependencies()) {
                dependencyPaths.add(index.module(dependency).orElseThrow().path());
            }
            held.add(new Held(module.name(), module.path(), dependencyPaths, file.getValue(),
                    priorities.get(module.name())));
        }
        held.sort(Comparator.comparingInt(Held::priority));
        Map<String, byte[]> out = new LinkedHashMap<>();
        StringBuilder dep = new StringBuilder();
        DepmodBin.Writer depBin = new DepmodBin.Writer();
        StringBuilder alias = new StringBuilder(ModinfoFiles.ALIASES_HEADER);
        DepmodBin.Writer aliasBin = new DepmodBin.Writer();
        for (Held module : held) {
            StringBuilder line = new StringBuilder(module.path()).append(':');
            module.dependencyPaths().forEach(path -> line.append(' ').append(path));
            dep.append(line).append('\n');
            depBin.insert(module.name(), line.toString(), module.priority());
            for (String pattern : ModuleSymbols.read(module.path(), ByteBuffer.wrap(module.file())).aliases()) {
                String aliasLine = "alias " + pattern + " " + module.name();
                // A line kmod's readers would split into other than three words is not one of the module's.
                if (aliasLine.split(" ").length != 3) {
                    continue;
                }
                alias.append(aliasLine).append('\n');
                // depmod leaves an alias it cannot normalize out of modules.alias.bin, not out of modules.alias.
                Optional<String> key = ModuleNames.underscores(pattern);
                if (key.isPresent()) {
                    aliasBin.insert(key.get(), module.name(), module.priority());
                }
            }
        }
        out.put("modules.dep", utf8(dep));
        out.put("modules.dep.bin", depBin.toBytes());
        out.put("modules.alias", utf8(alias));
        out.put("modules.alias.bin", aliasBin.toBytes());
        byte[][] symbols = symbols(section, files.keySet());
        out.put("modules.symbols", symbols[0]);
        out.put("modules.symbols.bin", symbols[1]);
        return out;
    }

    /** The symbols the modules own, in the order depmod walks its table of symbols ({@link KmodHash}). */
    private static byte[][] symbols(ModuleSection section, Set<String> names) {
        record Owned(byte[] name, int bucket, Value owner) {
        }
        List<Owned> owned = new ArrayList<>();
        for (int key = 0; key < section.keyCount(KeyTable.SYMBOLS); key++) {
            for (Value value : section.keyValues(KeyTable.SYMBOLS, key)) {
                if (names.contains(value.name())) {
                    byte[] pattern = section.keyPattern(KeyTable.SYMBOLS, key);
                    byte[] name = Arrays.copyOfRange(pattern, SYMBOL_PREFIX.length(), pattern.length);
                    owned.add(new Owned(name, KmodHash.bucket(name, KmodHash.SYMBOL_BUCKETS), value));
                }
            }
        }
        owned.sort(Comparator.comparingInt(Owned::bucket).thenComparing(Owned::name, Arrays::compareUnsigned));
        StringBuilder text = new StringBuilder(SymbolFiles.HEADER);
        DepmodBin.Writer bin = new DepmodBin.Writer();
        for (Owned symbol : owned) {
            String key = SYMBOL_PREFIX + new String(symbol.name(), StandardCharsets.ISO_8859_1);
            text.append("alias ").append(key).append(' ').append(symbol.owner().name()).append('\n');
            bin.insert(key, symbol.owner().name(), symbol.owner().priority());
        }
        return new byte[][] {text.toString().getBytes(StandardCharsets.ISO_8859_1), bin.toBytes()};
    }

    /** Each module's line in modules.dep: depmod gives its aliases and exported symbols that priority. */
    private static Map<String, Integer> priorities(ModuleIndex index, ModuleSection section,
            Set<String> names) throws IOException {
        Map<String, Integer> priorities = new HashMap<>();
        for (KeyTable table : List.of(KeyTable.ALIASES, KeyTable.SYMBOLS)) {
            for (int key = 0; key < section.keyCount(table) && priorities.size() < names.size(); key++) {
                for (Value value : section.keyValues(table, key)) {
                    if (names.contains(value.name())) {
                        priorities.put(value.name(), value.priority());
                    }
                }
            }
        }
        if (priorities.size() < names.size()) {
            String[] lines = new String(index.readFile("modules.dep"), StandardCharsets.UTF_8).split("\n");
            for (int i = 0; i < lines.length; i++) {
                int colon = lines[i].indexOf(':');
                String name = colon < 0 ? "" : ModuleNames.fromPath(lines[i].substring(0, colon));
                if (names.contains(name)) {
                    priorities.putIfAbsent(name, i);
                }
            }
        }
        return priorities;
    }

    private static byte[] utf8(StringBuilder text) {
        return text.toString().getBytes(StandardCharsets.UTF_8);
    }
}
