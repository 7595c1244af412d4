package org.kmodpack.modules;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.function.Function;
import org.kmodpack.format.ModuleContent;
import org.kmodpack.format.ModuleSection;
import org.kmodpack.format.ModuleContent.BuiltinInfo;
import org.kmodpack.format.ModinfoField;
import org.kmodpack.format.ModuleContent.Key;
import org.kmodpack.format.ModuleContent.Module;

/**
 * Gathers what the MODULES section stores from depmod's output in the module directory (the binary tries kmod
 * searches, modules.softdep, modules.builtin.modinfo) and from each module's .modinfo and signature. Without
 * modules.dep.bin there is nothing kmod could look up, and no section is written.
 *
 * <p>The scan runs while the packer compresses: its section goes last into the bundle, and reading every
 * module a second time before compression could start cost a tenth of the pack's time.
 */
public final class ModuleScanner {
    /** An entry of the tree as the bundle will store it, in the bundle's entry order. */
    public record TreeEntry(String path, boolean regularFile) {
    }

    /** A key of modules.dep.bin with its line parsed: checked before any module is read. */
    private record DepLine(String name, String path, int entry, int[] deps) {
    }

    /**
     * What a module's file says about it: its modinfo and signature fields, or why there are none; and with the
     * kernel's symbols given, the symbols it exports and needs (else null).
     */
    record FileInfo(List<ModinfoField> info, int flags, ModuleSymbols symbols) {
        FileInfo(List<ModinfoField> info, int flags) {
            this(info, flags, null);
        }

        FileInfo withSymbols(ModuleSymbols read) {
            return new FileInfo(info, flags, read);
        }
    }

    private final Function<String, Path> files;
    private final List<DepLine> lines;
    private final List<Future<FileInfo>> pending;
    private final Optional<KernelSymbols> kernel;

    private ModuleScanner(Function<String, Path> files, List<DepLine> lines, List<Future<FileInfo>> pending,
            Optional<KernelSymbols> kernel) {
        this.files = files;
        this.lines = lines;
        this.pending = pending;
        this.kernel = kernel;
    }

    /**
     * Checks depmod's modules.dep.bin and starts reading every module it lists on {@code readers}; empty when
     * the tree has no modules.dep.bin (depmod never ran on it). {@code entries} are the tree's entries in the
     * bundle's order: the section refers to module files by their index. {@code files} says where each file of
     * the module directory (a path relative to it) is read from. With the {@code kernel}'s exports, each module's
     * symbols are read too, for {@link #unknownSymbols}.
     */
    public static Optional<ModuleScanner> start(Function<String, Path> files, List<TreeEntry> entries,
            ExecutorService readers, Optional<KernelSymbols> kernel) throws IOException {
        return start(files, path -> null, entries, readers, kernel);
    }

    /**
     * As {@link #start(Function, List, ExecutorService, Optional)}, a module file for which {@code facts} has what
     * was read of it (a tree streamed out of an archive: {@link ModuleTree#facts}) taken from there, not read.
     */
    public static Optional<ModuleScanner> start(Function<String, Path> files, Function<String, ModuleFacts> facts,
            List<TreeEntry> entries, ExecutorService readers, Optional<KernelSymbols> kernel) throws IOException {
        Path depIndex = files.apply("modules.dep.bin");
        if (!Files.isRegularFile(depIndex)) {
            return Optional.empty();
        }
        Map<String, Integer> entryByPath = new HashMap<>();
        for (int i = 0; i < entries.size(); i++) {
            entryByPath.put(entries.get(i).path(), i);
        }
        List<Key> depKeys = DepmodBin.read(depIndex);
        Map<String, Integer> moduleByName = new HashMap<>();
        for (Key key : depKeys) {
            moduleByName.put(key.key(), moduleByName.size());
        }
        List<DepLine> lines = new ArrayList<>(depKeys.size());
        for (Key key : depKeys) {
            lines.add(depLine(depIndex, key, moduleByName, entryByPath));
        }
        // Read in the order the packer compresses (path order), so the reads run ahead of it and warm the
        // page cache for it; the results keep depmod's order.
        Integer[] byPath = new Integer[lines.size()];
        for (int i = 0; i < byPath.length; i++) {
            byPath[i] = i;
        }
        Arrays.sort(byPath, Comparator.comparing((Integer i) -> lines.get(i).path()));
        List<Future<FileInfo>> pending = new ArrayList<>(Collections.nCopies(lines.size(), null));
        for (int i : byPath) {
            DepLine line = lines.get(i);
            ModuleFacts read = facts.apply(line.path());
            pending.set(i, read != null
                    ? java.util.concurrent.CompletableFuture.completedFuture(fromFacts(read, line, entries))
                    : readers.submit(() -> fileInfo(files, line, entries, kernel.isPresent())));
        }
        return Optional.of(new ModuleScanner(files, lines, pending, kernel));
    }

    public int moduleCount() {
        return lines.size();
    }

    /** Waits for every module and reads the rest of depmod's output. */
    public ModuleContent finish() throws IOException {
        List<Module> modules = new ArrayList<>(lines.size());
        for (int i = 0; i < lines.size(); i++) {
            DepLine line = lines.get(i);
            FileInfo file = await(pending.get(i));
            modules.add(new Module(line.name(), line.path(), line.entry(), line.deps(), file.info(), file.flags()));
        }
        Path builtinModinfo = files.apply("modules.builtin.modinfo");
        boolean hasBuiltinModinfo = Files.isRegularFile(builtinModinfo);
        return new ModuleContent(modules,
                optionalIndex(files.apply("modules.alias.bin")),
                optionalIndex(files.apply("modules.symbols.bin")),
                optionalIndex(files.apply("modules.builtin.bin")).stream().map(Key::key).toList(),
                optionalIndex(files.apply("modules.builtin.alias.bin")),
                hasBuiltinModinfo ? builtinInfo(Files.readAllBytes(builtinModinfo)) : List.of(),
                hasBuiltinModinfo,
                readOptional(files.apply("modules.softdep")));
    }

    /**
     * What depmod -e with the kernel's exports given to {@link #start} reports about the tree's modules: each
     * symbol a module needs that neither the kernel nor a module exports, and with Module.symvers each version
     * that differs from the exporter's, module by module in modules.dep.bin's order. None without the exports.
     */
    public List<KmodProblem> unknownSymbols() throws IOException {
        if (kernel.isEmpty()) {
            return List.of();
        }
        List<DepmodModule> modules = new ArrayList<>(lines.size());
        for (int i = 0; i < lines.size(); i++) {
            DepmodModule module = new DepmodModule(lines.get(i).name(), lines.get(i).path());
            module.symbols = await(pending.get(i)).symbols();
            modules.add(module);
        }
        List<KmodProblem> problems = new ArrayList<>();
        SymbolResolution.resolve(modules, kernel.get(), new DepmodOptions(DepmodConfig.defaults(""), kernel, true),
                problems::add);
        return problems;
    }

    private static DepLine depLine(Path depIndex, Key key, Map<String, Integer> moduleByName,
            Map<String, Integer> entryByPath) throws IOException {
        if (key.values().isEmpty()) {
            throw new IOException(depIndex + ": module " + key.key() + " has no dependency line; run depmod again");
        }
        String line = key.values().get(0).name();
        int colon = line.indexOf(':');
        if (colon < 0) {
            throw new IOException(depIndex + ": line of " + key.key() + " has no ':'; run depmod again");
        }
        List<Integer> deps = new ArrayList<>();
        for (String dep : line.substring(colon + 1).trim().split("[ \t]+")) {
            if (dep.isEmpty()) {
                continue;
            }
            Integer index = moduleByName.get(ModuleNames.fromPath(dep));
            if (index == null) {
                throw new IOException(depIndex + ": " + key.key() + " depends on " + dep
                        + ", which has no line of its own; run depmod again");
            }
            deps.add(index);
        }
        String path = line.substring(0, colon);
        Integer entry = entryByPath.get(path);
        return new DepLine(key.key(), path, entry == null ? -1 : entry, deps.stream().mapToInt(i -> i).toArray());
    }

    private static FileInfo fileInfo(Function<String, Path> files, DepLine line, List<TreeEntry> entries,
            boolean readSymbols) {
        byte[] raw;
        try {
            raw = Files.readAllBytes(files.apply(line.path()));
        } catch (NoSuchFileException missing) {
            return new FileInfo(List.of(), ModuleContent.FLAG_NO_MODINFO, ModuleSymbols.failed(Errno.ENOENT));
        } catch (IOException unreadable) {
            return new FileInfo(List.of(), ModuleContent.FLAG_INVALID_ELF, ModuleSymbols.failed(Errno.EIO));
        }
        FileInfo info = modinfo(files.apply(line.path()).toString(), raw, line, entries);
        return readSymbols ? new FileInfo(info.info(), info.flags(),
                ModuleSymbols.read(line.path(), java.nio.ByteBuffer.wrap(raw))) : info;
    }

    private static FileInfo modinfo(String file, byte[] raw, DepLine line, List<TreeEntry> entries) {
        return ParsedModinfo.of(file, line.path(), raw).stored(isRegularFile(line, entries));
    }

    private static boolean isRegularFile(DepLine line, List<TreeEntry> entries) {
        return line.entry() >= 0 && entries.get(line.entry()).regularFile();
    }

    /** What a streamed module's facts hold for the line's entry: a regular file of the bundle, or a symlink. */
    private static FileInfo fromFacts(ModuleFacts facts, DepLine line, List<TreeEntry> entries) {
        FileInfo info = isRegularFile(line, entries) ? facts.stored : facts.linked;
        return info.withSymbols(facts.symbols);
    }

    /**
     * The module's modinfo both as a regular file of the bundle and as one reached through a symlink: the two
     * differ only in how a signature is stored, and the module's bytes are read once for both.
     */
    static FileInfo[] modinfoBothWays(String path, byte[] raw) {
        ParsedModinfo parsed = ParsedModinfo.of(path, path, raw);
        return new FileInfo[] {parsed.stored(true), parsed.stored(false)};
    }

    /**
     * The modinfo of {@code raw} (module {@code path}) with its signature kept by value, as for a module file that
     * another bundle holds.
     */
    static FileInfo modinfoOfAnotherFile(String path, byte[] raw) {
        return ParsedModinfo.of(path, path, raw).stored(false);
    }

    /**
     * A module file's .modinfo strings, or why it has none ({@code failed}); {@code elf} is its decompressed
     * bytes, {@code compressed} whether they differ from the file's.
     */
    private record ParsedModinfo(List<ModinfoField> fields, byte[] elf, boolean compressed, FileInfo failed) {
        /** The modinfo of {@code raw} (read from {@code file}, named {@code path} in the tree). */
        static ParsedModinfo of(String file, String path, byte[] raw) {
            try {
                byte[] elf = ModuleFile.decompress(file, raw);
                byte[] modinfo = Elf.parse(path, elf).section(".modinfo");
                if (modinfo == null) {
                    return new ParsedModinfo(null, null, false,
                            new FileInfo(List.of(), ModuleContent.FLAG_NO_MODINFO));
                }
                return new ParsedModinfo(ModinfoStrings.parse(modinfo), elf, elf != raw, null);
            } catch (IOException invalid) {
                return new ParsedModinfo(null, null, false, new FileInfo(List.of(), ModuleContent.FLAG_INVALID_ELF));
            }
        }

        /**
         * The fields then the signature's, as the MODULES section stores them: an uncompressed module that is a
         * regular file of the bundle ({@code regularFile}) already holds its signature there, so it is kept by
         * reference.
         */
        FileInfo stored(boolean regularFile) {
            return failed != null ? failed : withSignature(fields, elf, !compressed && regularFile);
        }
    }

    private static FileInfo withSignature(List<ModinfoField> fields, byte[] elf, boolean signatureByReference) {
        List<ModinfoField> info = new ArrayList<>(fields);
        info.addAll(SignatureFields.fields(elf, signatureByReference));
        if (info.stream().anyMatch(i -> i.key().getBytes(StandardCharsets.UTF_8).length > 0xFFFF)) {
            // The index stores key lengths in 16 bits; no real module comes near that.
            return new FileInfo(List.of(), ModuleContent.FLAG_INVALID_ELF);
        }
        return new FileInfo(info, 0);
    }

    private static FileInfo await(Future<FileInfo> file) throws IOException {
        try {
            return file.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while reading the modules' modinfo");
        } catch (ExecutionException e) {
            throw new IOException("reading a module's modinfo failed: " + e.getCause(), e.getCause());
        }
    }

    /**
     * modules.builtin.modinfo: "module.key=value" strings; kmod reads the first run of consecutive strings
     * of a module and strips the "module." prefix.
     */
    static List<BuiltinInfo> builtinInfo(byte[] file) {
        Map<String, List<ModinfoField>> byModule = new LinkedHashMap<>();
        String current = null;
        List<ModinfoField> run = null;
        int i = 0;
        while (i < file.length) {
            int end = i;
            while (end < file.length && file[end] != 0) {
                end++;
            }
            int dot = -1;
            for (int j = i; j < end; j++) {
                if (file[j] == '.') {
                    dot = j;
                    break;
                }
            }
            if (dot < 0) {
                break; // kmod stops reading at a string without a module prefix
            }
            String module = new String(file, i, dot - i, StandardCharsets.UTF_8);
            if (!module.equals(current)) {
                current = module;
                run = byModule.containsKey(module) ? null : new ArrayList<>();
                if (run != null) {
                    byModule.put(module, run);
                }
            }
            if (run != null) {
                run.add(ModinfoStrings.pair(Arrays.copyOfRange(file, dot + 1, end)));
            }
            i = end + 1;
        }
        List<BuiltinInfo> all = new ArrayList<>();
        byModule.forEach((name, info) -> all.add(new BuiltinInfo(name, info)));
        return all;
    }

    private static List<Key> optionalIndex(Path file) throws IOException {
        return Files.isRegularFile(file) ? DepmodBin.read(file) : List.of();
    }

    private static String readOptional(Path file) throws IOException {
        return Files.isRegularFile(file) ? Files.readString(file, StandardCharsets.UTF_8) : "";
    }
}
