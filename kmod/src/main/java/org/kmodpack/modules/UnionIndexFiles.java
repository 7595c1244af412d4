package org.kmodpack.modules;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Consumer;
import org.kmodpack.format.ModuleContent.Value;
import org.kmodpack.format.ModuleSection;
import org.kmodpack.format.ModuleSection.KeyTable;
import org.kmodpack.reader.Bundle;
import org.kmodpack.reader.Entry;

/**
 * The index files kmod 30's depmod writes for a union that the base's index answers for ({@link LayeredLookup}),
 * made from the base's own index files: the union's differ from them only where the layers' modules come in and
 * the base modules they override go out.
 * <ul>
 * <li>depmod's array: the base's (its modules.dep lists it in order, the modules modules.order does not name
 * last), the overridden modules taken out and the layers' modules put after the named ones. A base module's
 * priority in a .bin file moves down by the overridden modules before it and, past the named ones, up by the
 * layers' modules.
 * <li>modules.dep, .alias, .softdep and .devname list modules in array order: the base's lines, the overridden
 * modules' left out and the layers' modules' put where they come in the array.
 * <li>modules.symbols lists the symbols in the order of depmod's table of them ({@link KmodHash}): the base's
 * lines, the overridden modules' left out and the layers' exports put in their places.
 * <li>modules.alias.bin and .symbols.bin: the base's keys and values as its key tables hold them (spec section
 * 14), priorities moved, the layers' added; modules.dep.bin: the union's modules.dep lines under their names.
 * <li>modules.builtin.bin and .builtin.alias.bin: the base's, as the union's builtins are its.
 * </ul>
 * No module file of the base is read. depmod's warnings are not given: the union's are those of the base and the
 * layers.
 */
final class UnionIndexFiles {
    /** The base's files these are made from (with modules.softdep and modules.devname, which may be empty). */
    static final List<String> BASE_FILES = List.of("modules.dep", "modules.alias", "modules.softdep",
            "modules.symbols", "modules.devname", "modules.builtin.bin", "modules.builtin.alias.bin");
    private static final String SYMBOL_PREFIX = "symbol:";
    private static final byte[] SYMBOL_LINE = "alias symbol:".getBytes(StandardCharsets.US_ASCII);

    private final Bundle base;
    private final ModuleSection section;
    private final LayeredLookup lookup;
    /** The base's modules.dep and where each of its lines starts (one more: where the next would). */
    private final byte[] baseDep;
    private final int[] lineStarts;
    /** Each base module's number in the union's array by its number in the base's (-1: overridden). */
    private final int[] unionNumber;
    /** The layers' modules as depmod's array holds them. */
    private final List<DepmodModule> layerModules = new ArrayList<>();
    /** The base modules modules.order does not name: their lines end each file listing modules in array order. */
    private final Set<String> unordered;

    private UnionIndexFiles(Bundle base, ModuleSection section, LayeredLookup lookup) throws IOException {
        this.base = base;
        this.section = section;
        this.lookup = lookup;
        this.baseDep = read(base, "modules.dep");
        this.lineStarts = lineStarts(baseDep, 0);
        int count = lineStarts.length - 1;
        if (count != section.moduleCount()) {
            throw baseMismatch("modules.dep has " + count + " lines for " + section.moduleCount() + " modules");
        }
        this.unordered = lookup.unorderedBaseModules();
        Set<String> overriddenPaths = new HashSet<>();
        for (String name : lookup.overriddenBaseModules()) {
            overriddenPaths.add(section.modulePath(section.findModule(name)));
        }
        int named = count - unordered.size();
        this.unionNumber = new int[count];
        int next = 0;
        for (int line = 0; line <= count; line++) {
            if (line == named) {
                next += addLayerModules(next);
            }
            if (line == count) {
                break;
            }
            String path = depPath(line);
            if (line >= named && !unordered.contains(ModuleNames.fromPath(path))) {
                throw baseMismatch("modules.dep does not end in the modules modules.order does not name");
            }
            unionNumber[line] = overriddenPaths.contains(path) ? -1 : next++;
        }
    }

    /** The index files, named as in {@link Depmod#INDEX_FILES} and in that order. */
    static Map<String, byte[]> write(Bundle base, ModuleSection section, LayeredLookup lookup) throws IOException {
        return new UnionIndexFiles(base, section, lookup).write();
    }

    private Map<String, byte[]> write() throws IOException {
        // The .bin files from the key tables need no file of the base: they are made beside the text files.
        CompletableFuture<byte[]> aliasesBin = CompletableFuture.supplyAsync(this::aliasesBin);
        CompletableFuture<byte[]> symbolsBin = CompletableFuture.supplyAsync(this::symbolsBin);
        byte[] dep = dep();
        Map<String, byte[]> out = new LinkedHashMap<>();
        out.put("modules.dep", dep);
        out.put("modules.dep.bin", depBin(dep));
        out.put("modules.alias", arrayOrdered("modules.alias", ModinfoFiles.ALIASES_HEADER, true,
                UnionIndexFiles::lastWord, aliasLines()));
        out.put("modules.alias.bin", join(aliasesBin));
        out.put("modules.softdep", arrayOrdered("modules.softdep", ModinfoFiles.SOFTDEPS_HEADER, true,
                UnionIndexFiles::secondWord, ModinfoFiles.softdepLines(layerModules)));
        out.put("modules.symbols", symbols());
        out.put("modules.symbols.bin", join(symbolsBin));
        out.put("modules.builtin.bin", read(base, "modules.builtin.bin"));
        out.put("modules.builtin.alias.bin", read(base, "modules.builtin.alias.bin"));
        out.put("modules.devname", arrayOrdered("modules.devname", ModinfoFiles.DEVNAMES_HEADER, false,
                UnionIndexFiles::firstWord, ModinfoFiles.devnameLines(layerModules, problem -> { })));
        return out;
    }

    /** Numbers the layers' modules from {@code first} on, in the lookup's order (the union's modules.order's). */
    private int addLayerModules(int first) {
        int count = 0;
        for (int module = section.moduleCount(); module < lookup.moduleCount(); module++) {
            DepmodModule layerModule = new DepmodModule(lookup.moduleName(module), lookup.modulePath(module));
            layerModule.index = first + count++;
            layerModule.symbols = lookup.layerModuleSymbols(module);
            layerModules.add(layerModule);
        }
        return count;
    }

    // ---- modules.dep and .bin ------------------------------------------------------------------------------------

    private byte[] dep() {
        ByteArrayOutputStream out = new ByteArrayOutputStream(baseDep.length + 4096);
        int count = lineStarts.length - 1;
        int named = count - unordered.size();
        for (int line = 0; line <= count; line++) {
            if (line == named) {
                for (DepmodModule module : layerModules) {
                    StringBuilder text = new StringBuilder(module.path).append(':');
                    for (int dependency : lookup.moduleDeps(lookup.findModule(module.name))) {
                        text.append(' ').append(lookup.modulePath(dependency));
                    }
                    out.writeBytes(text.append('\n').toString().getBytes(StandardCharsets.UTF_8));
                }
            }
            if (line < count && unionNumber[line] >= 0) {
                out.write(baseDep, lineStarts[line], lineStarts[line + 1] - lineStarts[line]);
            }
        }
        return out.toByteArray();
    }

    /** Each line of the union's modules.dep under its module's name, with its place in the array. */
    private static byte[] depBin(byte[] dep) {
        DepmodBin.Writer bin = new DepmodBin.Writer();
        int[] starts = lineStarts(dep, 0);
        for (int line = 0; line + 1 < starts.length; line++) {
            String text = new String(dep, starts[line], starts[line + 1] - starts[line] - 1, StandardCharsets.UTF_8);
            bin.insert(ModuleNames.fromPath(text.substring(0, text.indexOf(':'))), text, line);
        }
        return bin.toBytes();
    }

    /** The path of the base's modules.dep line {@code line}. */
    private String depPath(int line) {
        int at = lineStarts[line];
        int colon = at;
        while (colon < lineStarts[line + 1] && baseDep[colon] != ':') {
            colon++;
        }
        return new String(baseDep, at, colon - at, StandardCharsets.UTF_8);
    }

    // ---- files listing modules in array order ----------------------------------------------------------------

    /**
     * The base's file {@code name} (its lines after {@code header}, each naming its module where {@code module}
     * finds it) with the overridden modules' lines left out and {@code layerLines} put before the lines of the
     * modules modules.order does not name. Without lines, depmod writes the header only when {@code
     * headerAlways}.
     */
    private byte[] arrayOrdered(String name, String header, boolean headerAlways, WordFinder module,
            String layerLines) throws IOException {
        byte[] text = read(base, name);
        byte[] headerBytes = header.getBytes(StandardCharsets.UTF_8);
        int bodyAt = text.length == 0 ? 0 : bodyStart(name, text, headerBytes);
        int[] starts = lineStarts(text, bodyAt);
        int lines = starts.length - 1;
        // The modules modules.order does not name come last in the array: their lines are the file's last.
        int layersAt = lines;
        while (layersAt > 0 && unordered.contains(module.word(text, starts[layersAt - 1], starts[layersAt] - 1))) {
            layersAt--;
        }
        Set<String> overridden = lookup.overriddenBaseModules();
        ByteArrayOutputStream out = new ByteArrayOutputStream(text.length + layerLines.length() + headerBytes.length);
        for (int line = 0; line <= lines; line++) {
            if (line == layersAt) {
                out.writeBytes(layerLines.getBytes(StandardCharsets.UTF_8));
            }
            if (line < lines && (overridden.isEmpty()
                    || !overridden.contains(module.word(text, starts[line], starts[line + 1] - 1)))) {
                out.write(text, starts[line], starts[line + 1] - starts[line]);
            }
        }
        if (out.size() == 0 && !headerAlways) {
            return new byte[0];
        }
        ByteArrayOutputStream file = new ByteArrayOutputStream(out.size() + headerBytes.length);
        file.writeBytes(headerBytes);
        out.writeTo(file);
        return file.toByteArray();
    }

    /** Finds the word of a line ({@code [from, to)}, without its newline) that names the line's module. */
    private interface WordFinder {
        String word(byte[] text, int from, int to);
    }

    private static String lastWord(byte[] text, int from, int to) {
        int space = to;
        while (space > from && text[space - 1] != ' ') {
            space--;
        }
        return new String(text, space, to - space, StandardCharsets.UTF_8);
    }

    private static String firstWord(byte[] text, int from, int to) {
        int space = from;
        while (space < to && text[space] != ' ') {
            space++;
        }
        return new String(text, from, space - from, StandardCharsets.UTF_8);
    }

    private static String secondWord(byte[] text, int from, int to) {
        int first = from;
        while (first < to && text[first] != ' ') {
            first++;
        }
        return first == to ? "" : firstWord(text, first + 1, to);
    }

    private String aliasLines() {
        StringBuilder lines = new StringBuilder();
        for (DepmodModule module : layerModules) {
            for (String alias : module.symbols.aliases()) {
                lines.append("alias ").append(alias).append(' ').append(module.name).append('\n');
            }
        }
        return lines.toString();
    }

    // ---- modules.symbols -----------------------------------------------------------------------------------------

    /** Each symbol a layer's module exports and its owner: the last module in the array exporting it. */
    private Map<String, DepmodModule> layerExports() {
        Map<String, DepmodModule> owners = new HashMap<>();
        for (DepmodModule module : layerModules) {
            for (ModuleSymbols.Symbol export : module.symbols.exports()) {
                owners.put(export.name(), module);
            }
        }
        return owners;
    }

    /** A symbol a layer's module exports, with its modules.symbols line. */
    private record AddedSymbol(byte[] name, byte[] line) {
    }

    private byte[] symbols() throws IOException {
        byte[] text = read(base, "modules.symbols");
        byte[] header = SymbolFiles.HEADER.getBytes(StandardCharsets.US_ASCII);
        Set<String> overridden = lookup.overriddenBaseModules();
        int[] all = lineStarts(text, bodyStart("modules.symbols", text, header));
        int[] kept = new int[all.length - 1];
        int keptCount = 0;
        for (int line = 0; line + 1 < all.length; line++) {
            if (overridden.isEmpty() || !overridden.contains(lastWord(text, all[line], all[line + 1] - 1))) {
                kept[keptCount++] = line;
            }
        }
        List<AddedSymbol> added = new ArrayList<>();
        layerExports().forEach((symbol, owner) -> added.add(new AddedSymbol(
                symbol.getBytes(StandardCharsets.ISO_8859_1),
                ("alias " + SYMBOL_PREFIX + symbol + ' ' + owner.name + '\n').getBytes(StandardCharsets.ISO_8859_1))));
        added.sort(Comparator.comparing(AddedSymbol::name, UnionIndexFiles::symbolOrder));
        ByteArrayOutputStream out = new ByteArrayOutputStream(text.length + 64 * added.size());
        out.writeBytes(header);
        int next = 0;
        for (AddedSymbol symbol : added) {
            int at = firstKeptAfter(text, all, kept, keptCount, next, symbol.name());
            for (; next < at; next++) {
                out.write(text, all[kept[next]], all[kept[next] + 1] - all[kept[next]]);
            }
            out.writeBytes(symbol.line());
        }
        for (; next < keptCount; next++) {
            out.write(text, all[kept[next]], all[kept[next] + 1] - all[kept[next]]);
        }
        return out.toByteArray();
    }

    /** The first of the kept lines from {@code from} on whose symbol comes after {@code name} in depmod's table. */
    private int firstKeptAfter(byte[] text, int[] all, int[] kept, int keptCount, int from, byte[] name)
            throws IOException {
        int low = from;
        int high = keptCount;
        while (low < high) {
            int mid = (low + high) >>> 1;
            int at = all[kept[mid]];
            int end = all[kept[mid] + 1] - 1;
            if (!Arrays.equals(text, at, Math.min(end, at + SYMBOL_LINE.length), SYMBOL_LINE, 0, SYMBOL_LINE.length)) {
                throw baseMismatch("modules.symbols has a line that is not \"alias symbol:NAME MODULE\"");
            }
            int nameEnd = at + SYMBOL_LINE.length;
            while (nameEnd < end && text[nameEnd] != ' ') {
                nameEnd++;
            }
            byte[] lineName = Arrays.copyOfRange(text, at + SYMBOL_LINE.length, nameEnd);
            int order = symbolOrder(lineName, name);
            if (order == 0) {
                throw baseMismatch("modules.symbols names a symbol a layer's module exports");
            }
            if (order < 0) {
                low = mid + 1;
            } else {
                high = mid;
            }
        }
        return low;
    }

    /** depmod's table of symbols: by bucket, then in strcmp order. */
    private static int symbolOrder(byte[] a, byte[] b) {
        int bucket = Integer.compare(KmodHash.bucket(a, KmodHash.SYMBOL_BUCKETS),
                KmodHash.bucket(b, KmodHash.SYMBOL_BUCKETS));
        return bucket != 0 ? bucket : Arrays.compareUnsigned(a, b);
    }

    // ---- .bin files from the key tables -------------------------------------------------------------------------

    /** Adds the base's keys of {@code table} with their values, but the overridden modules', at union priorities. */
    private void addBaseKeys(DepmodBin.Writer bin, KeyTable table) {
        Set<String> overridden = lookup.overriddenBaseModules();
        for (int key = 0; key < section.keyCount(table); key++) {
            byte[] pattern = section.keyPattern(table, key);
            for (Value value : section.keyValues(table, key)) {
                if (!overridden.contains(value.name())) {
                    bin.insert(pattern, value.name(), unionPriority(value.priority()));
                }
            }
        }
    }

    private int unionPriority(int basePriority) {
        if (basePriority < 0 || basePriority >= unionNumber.length || unionNumber[basePriority] < 0) {
            throw new UncheckedIOException(baseMismatch("a key of its index has priority " + basePriority
                    + ", the number of no module of modules.dep it keeps"));
        }
        return unionNumber[basePriority];
    }

    private byte[] aliasesBin() {
        DepmodBin.Writer bin = new DepmodBin.Writer();
        addBaseKeys(bin, KeyTable.ALIASES);
        for (DepmodModule module : layerModules) {
            for (String alias : module.symbols.aliases()) {
                Optional<String> key = ModuleNames.underscores(alias);
                if (key.isPresent()) {
                    bin.insert(key.get(), module.name, module.index);
                }
            }
        }
        return bin.toBytes();
    }

    private byte[] symbolsBin() {
        DepmodBin.Writer bin = new DepmodBin.Writer();
        addBaseKeys(bin, KeyTable.SYMBOLS);
        layerExports().forEach((symbol, owner) -> bin.insert(SYMBOL_PREFIX + symbol, owner.name, owner.index));
        return bin.toBytes();
    }

    // ---- reading --------------------------------------------------------------------------------------------------

    /** Where each line of {@code text} starts from {@code from} on, and where a next one would. */
    private static int[] lineStarts(byte[] text, int from) {
        int count = 0;
        for (int i = from; i < text.length; i++) {
            if (text[i] == '\n') {
                count++;
            }
        }
        int[] starts = new int[count + 1];
        starts[0] = from;
        int line = 1;
        for (int i = from; i < text.length && line <= count; i++) {
            if (text[i] == '\n') {
                starts[line++] = i + 1;
            }
        }
        return starts;
    }

    /** Where the lines of the base's file {@code name} start: after its header. */
    private int bodyStart(String name, byte[] text, byte[] header) throws IOException {
        if (!Arrays.equals(text, 0, Math.min(text.length, header.length), header, 0, header.length)) {
            throw baseMismatch(name + " does not start as depmod writes it");
        }
        return header.length;
    }

    private static byte[] read(Bundle base, String name) throws IOException {
        Optional<Entry> file = base.find(name).filter(Entry::isFile);
        if (file.isEmpty()) {
            throw new IOException(base + ": has no " + name + "; run depmod on the module directory and pack it again");
        }
        return base.readAllBytes(file.get());
    }

    private IOException baseMismatch(String problem) {
        return new IOException(base + ": " + problem + ", unlike the files depmod writes with its index; run depmod "
                + "on the module directory and pack it again");
    }

    private static <T> T join(CompletableFuture<T> task) throws IOException {
        try {
            return task.join();
        } catch (CompletionException failed) {
            if (failed.getCause() instanceof UncheckedIOException unreadable) {
                throw unreadable.getCause();
            }
            if (failed.getCause() instanceof RuntimeException unchecked) {
                throw unchecked;
            }
            if (failed.getCause() instanceof Error error) {
                throw error;
            }
            throw failed;
        }
    }
}
