package org.kmodpack.modules;

import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.function.Consumer;
import org.kmodpack.format.ModuleContent;
import org.kmodpack.format.ModuleSection;
import org.kmodpack.reader.Bundle;
import org.kmodpack.reader.Entry;

/**
 * Module lookups served from a bundle's MODULES section, answering as kmod 30 answers on the unpacked tree.
 * The section is decoded once, on first use, and read in place afterwards; an index is safe to share between
 * threads, and each {@link Modprobe} or {@link Modinfo} it creates is a cheap per-thread session.
 */
public final class ModuleIndex {
    private final Bundle bundle;
    private final ModuleSection section;
    private final ModuleLookup lookup;
    /** The bundle of each layer module's file, by path; none without layers. */
    private final Map<String, Bundle> layerFiles;

    /** A module of modules.dep: its path relative to the module directory, its dependencies in the line's order. */
    public record Module(String name, String path, List<String> dependencies) {
    }

    private ModuleIndex(Bundle bundle, ModuleSection section, ModuleLookup lookup, Map<String, Bundle> layerFiles) {
        this.bundle = bundle;
        this.section = section;
        this.lookup = lookup;
        this.layerFiles = layerFiles;
    }

    /** The bundle's module index; fails, saying what to do, when the bundle was packed without one. */
    public static ModuleIndex of(Bundle bundle) throws IOException {
        if (bundle.layer().isPresent()) {
            throw new IOException(bundle + ": is a layer of extra modules, not a whole tree; give the base bundle "
                    + "and this one with --layer");
        }
        ModuleSection section = bundle.modules().orElseThrow(() -> new IOException(bundle + ": has no module "
                + "index (the tree had no modules.dep.bin when it was packed); run depmod on the tree and pack "
                + "it again"));
        return new ModuleIndex(bundle, section, new SectionLookup(section), Map.of());
    }

    /**
     * The base's index and {@code layers} (checked by the caller to fit over it) merged at lookup time: modprobe's
     * answers are kmod's on the union after depmod, with no depmod run. Empty when the base's index cannot answer
     * for this union (a layer changes what base modules depend on, or brings depmod.d files); the union must then
     * be indexed whole. A merged index has no {@link #indexKeys}: that reads the union's index files.
     * {@code cacheDirectory} keeps a small fact of each base (the --cache-dir).
     */
    public static Optional<ModuleIndex> layered(Bundle base, List<Bundle> layers, Path cacheDirectory)
            throws IOException {
        ModuleIndex index = of(base);
        Optional<LayeredLookup> merged = LayeredLookup.merge(base, index.section, layers, cacheDirectory);
        return merged.map(lookup -> new ModuleIndex(base, index.section, lookup, lookup.layerFiles()));
    }

    /**
     * The index files kmod 30's depmod writes for the union this index merges (spec section 15.3), named as in
     * {@link Depmod#INDEX_FILES} and in that order, made in memory from the base's index files and the layer
     * modules' files. Only for an index {@link #layered} made.
     */
    public Map<String, byte[]> unionIndexFiles() throws IOException {
        if (!(lookup instanceof LayeredLookup layered)) {
            throw new IllegalStateException(bundle + ": not merged with layers; its index files are its own");
        }
        return UnionIndexFiles.write(bundle, section, layered);
    }

    public String kernelVersion() {
        return bundle.kernelVersion();
    }

    /**
     * ROOT/lib/modules/KVER as kmod spells it for {@code -d ROOT} / {@code -b ROOT} (ROOT may be "" or null for
     * none): a relative ROOT made absolute against the working directory the way libkmod does it, with no
     * normalisation ("-d /" gives "//lib/modules/KVER", as kmod prints it).
     */
    public String moduleDirectory(String root) {
        String base = root == null ? "" : root;
        if (!base.isEmpty() && !base.startsWith("/")) {
            base = System.getProperty("user.dir") + "/" + base;
        }
        return base + "/lib/modules/" + kernelVersion();
    }

    /** The module of modules.dep with this name (spelt as kmod does: {@link ModuleNames#underscores}), if any. */
    public Optional<Module> module(String name) {
        int at = lookup.findModule(ModuleNames.underscores(name).orElse(name));
        if (at < 0) {
            return Optional.empty();
        }
        List<String> dependencies = new ArrayList<>();
        for (int dep : lookup.moduleDeps(at)) {
            dependencies.add(lookup.moduleName(dep));
        }
        return Optional.of(new Module(lookup.moduleName(at), lookup.modulePath(at), List.copyOf(dependencies)));
    }

    /**
     * The bytes of a file of the module directory, such as a module's {@link Module#path}, as stored (a
     * compressed module stays compressed); {@link java.nio.file.NoSuchFileException} when there is no such
     * regular file.
     */
    public byte[] readFile(String path) throws IOException {
        Bundle holder = layerFiles.getOrDefault(path, bundle);
        Entry file = holder.find(path).filter(Entry::isFile)
                .orElseThrow(() -> new NoSuchFileException(holder + ": " + path));
        return holder.readAllBytes(file);
    }

    /** A symbol and its version (CRC; -1 when its CRC cannot be read, as libkmod says). */
    public record SymbolVersion(String symbol, long crc) {
    }

    /** Symbols of a module file with their versions, in order, or the errno libkmod gives instead. */
    public record SymbolVersions(int errno, List<SymbolVersion> symbols) {
    }

    /**
     * What the regular file {@code path} (relative to the module directory) exports, as kmod_module_get_symbols
     * lists it for modprobe --show-exports.
     */
    public SymbolVersions exports(String path) throws IOException {
        ModuleSymbols symbols = ModuleSymbols.read(path, java.nio.ByteBuffer.wrap(readFile(path)));
        List<SymbolVersion> exports = new ArrayList<>();
        for (ModuleSymbols.Symbol symbol : symbols.exports()) {
            exports.add(new SymbolVersion(symbol.name(), symbol.crc()));
        }
        return new SymbolVersions(symbols.errno(), List.copyOf(exports));
    }

    /**
     * The symbol versions the regular file {@code path} was built against (its __versions entries), as
     * kmod_module_get_versions lists them for modprobe --show-modversions.
     */
    public SymbolVersions modversions(String path) throws IOException {
        return ModuleSymbols.modversions(path, java.nio.ByteBuffer.wrap(readFile(path)));
    }

    /**
     * Every key of the module directory's depmod index {@code fileName} (modules.alias.bin,
     * modules.symbols.bin) with its modules, in the index's order, as modprobe -c dumps it; none when the bundle
     * holds no such index.
     */
    public List<ModuleContent.Key> indexKeys(String fileName) throws IOException {
        requireWhole();
        Optional<Entry> file = bundle.find(fileName).filter(Entry::isFile);
        return file.isEmpty() ? List.of() : DepmodBin.read(bundle + ": " + fileName, bundle.readAllBytes(file.get()));
    }

    /** The text of the tree's modules.softdep ("" when it had none). */
    public String softdepText() {
        return section.softdepConfig();
    }

    ModuleSection section() {
        return section;
    }

    /** Whether modules.builtin names this module (as kmod spells it). */
    public boolean isBuiltin(String name) {
        return lookup.isBuiltin(ModuleNames.underscores(name).orElse(name));
    }

    /** Every module of modules.dep, by name, in byte order. */
    public List<String> moduleNames() {
        SortedSet<String> names = new TreeSet<>();
        for (int i = 0; i < lookup.moduleCount(); i++) {
            names.add(lookup.moduleName(i));
        }
        return List.copyOf(names);
    }

    /** Every pattern of modules.alias. */
    public List<String> aliasPatterns() {
        return section.patterns(ModuleSection.KeyTable.ALIASES);
    }

    /**
     * Configuration as modprobe reads it: {@code paths} (files or folders, kmod's defaults when null) merged
     * with the bundle's modules.softdep, then the kernel command line of this host.
     */
    public ModprobeConfig loadConfig(List<Path> paths, String moduleDirectory, Consumer<KmodProblem> errors) {
        return loadConfig(paths, moduleDirectory, ModprobeConfig.readKernelCmdline(), errors);
    }

    /** As {@link #loadConfig(List, String, Consumer)} with the given kernel command line (null for none). */
    public ModprobeConfig loadConfig(List<Path> paths, String moduleDirectory, String kernelCmdline,
            Consumer<KmodProblem> errors) {
        return ModprobeConfig.load(paths, moduleDirectory, lookup.softdepConfig(), kernelCmdline, errors);
    }

    private void requireWhole() {
        if (lookup instanceof LayeredLookup) {
            throw new IllegalStateException(bundle + ": merged with layers at lookup time; open the union for this");
        }
    }

    public Modprobe modprobe(ModprobeConfig config, String moduleDirectory, Consumer<KmodProblem> errors) {
        return new Modprobe(lookup, config, moduleDirectory, errors);
    }

    public Modinfo modinfo(String moduleDirectory) {
        return new Modinfo(bundle, section, lookup, layerFiles, moduleDirectory);
    }
}
