package org.kmodpack.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import org.kmodpack.fuse.ServedTree;
import org.kmodpack.fuse.UnionTree;
import org.kmodpack.modules.Depmod;
import org.kmodpack.modules.KmodProblem;
import org.kmodpack.modules.ModuleIndex;
import org.kmodpack.modules.ModuleNames;
import org.kmodpack.modules.UnionSymbolCheck;
import org.kmodpack.packer.LayerUnion;
import org.kmodpack.reader.Bundle;
import picocli.CommandLine.Option;

/**
 * The --layer options of the commands that look modules up: the bundle they read is the base alone, or the union
 * of the base and its layers, indexed as kmod's depmod indexes the unpacked union.
 */
final class LayerOptions {
    private static final String ORDER_FILE = "modules.order";

    @Option(names = "--layer", paramLabel = "LAYER",
            description = "Merge this layer bundle (kmodpack pack DIR --layer) over BUNDLE; repeatable, later layers "
                    + "over earlier ones. Answers are kmod's on the union after depmod. When BUNDLE records the "
                    + "kernel's symbols (pack --system-map/--symvers), a layer module needing a symbol nothing "
                    + "exports (or at another version) is refused, as depmod -e would warn about it.")
    List<String> layers = new ArrayList<>();

    @Option(names = "--layer-trust", paramLabel = "FILE|DIR",
            description = "Also trust the keys and certificates in FILE, or in the files of DIR, for --layer bundles "
                    + "only (a local DKMS key, say); they never make BUNDLE trusted. Repeatable.")
    List<Path> layerTrust = new ArrayList<>();

    @Option(names = "--allow-shadow",
            description = "Let a later --layer replace a file of an earlier one (otherwise refused).")
    boolean allowShadow;

    /** Opens a bundle the way the command trusts bundles, trusting {@code extraKeys} (files or folders) too. */
    interface Opener {
        Bundle open(String location, List<Path> extraKeys) throws IOException;
    }

    /**
     * The base and its layers, open until closed. Lookups of modprobe and the loader answer from the base's index
     * merged with the layers' modules ({@link #index}); what needs the union's tree or index files ({@link #bundle})
     * gets the union, built once and then cached.
     */
    static final class Opened implements AutoCloseable {
        private final Bundle base;
        private final List<Bundle> layers;
        private final LayerUnion union;
        private final Path cacheDirectory;
        private final Map<String, String> layerOrigins;
        private Path unionFile;
        private Bundle unionBundle;
        /** Makes the union's index files for {@link #mergedTree}, then keeps them; closing waits for it. */
        private Thread unionIndexThread;

        private Opened(Bundle base, List<Bundle> layers, LayerUnion union, Path cacheDirectory,
                Map<String, String> layerOrigins) {
            this.base = base;
            this.layers = layers;
            this.union = union;
            this.cacheDirectory = cacheDirectory;
            this.layerOrigins = layerOrigins;
        }

        /** The base alone, or the union as one bundle (built on first use, cached in the cache directory). */
        Bundle bundle() throws IOException {
            if (union == null) {
                return base;
            }
            if (unionBundle == null) {
                unionBundle = union.open(unionFile().orElseThrow());
            }
            return unionBundle;
        }

        /** With layers, the file of the union in the cache directory, built if it is not there. */
        Optional<Path> unionFile() throws IOException {
            if (union != null && unionFile == null) {
                unionFile = union.build(cacheDirectory, problem -> { });
            }
            return Optional.ofNullable(unionFile);
        }

        /**
         * With layers the base's index answers for ({@link ModuleIndex#layered}), the union as a tree to mount:
         * the base's and the layers' entries, with the union's modules.order and index files made in memory, on a
         * thread of their own while the caller goes on ({@link UnionTree#awaitMadeFiles}), and no union bundle
         * built. The files made are kept in the cache directory for the next mount of the same union
         * ({@link LayerUnion#keepIndexFiles}). Empty without layers, or when the union must be indexed whole
         * ({@link #unionFile}).
         */
        Optional<UnionTree> mergedTree() throws IOException {
            if (union == null) {
                return Optional.empty();
            }
            // Files are kept only for a union the base's index answers for: with them there, that is known without
            // merging the indexes, which is then done only if the files kept turn out damaged.
            boolean kept = union.hasKeptIndexFiles(cacheDirectory);
            Optional<ModuleIndex> merged = kept ? Optional.empty()
                    : ModuleIndex.layered(base, layers, cacheDirectory);
            if (!kept && merged.isEmpty()) {
                return Optional.empty();
            }
            List<String> names = new ArrayList<>(List.of(ORDER_FILE));
            names.addAll(Depmod.INDEX_FILES);
            CompletableFuture<Map<String, byte[]>> made = new CompletableFuture<>();
            unionIndexThread = new Thread(() -> {
                try {
                    Optional<Map<String, byte[]>> keptFiles = kept ? union.keptIndexFiles(cacheDirectory)
                            : Optional.empty();
                    if (keptFiles.isPresent() && keptFiles.get().keySet().equals(Set.copyOf(names))) {
                        made.complete(keptFiles.get());
                        return;
                    }
                    ModuleIndex index = merged.isPresent() ? merged.get()
                            : ModuleIndex.layered(base, layers, cacheDirectory).orElseThrow(() -> new IOException(
                                    union.keptIndexFile(cacheDirectory) + ": damaged, and kept for a union the "
                                            + "base's index does not answer for; remove it and mount again"));
                    Map<String, byte[]> files = new LinkedHashMap<>();
                    files.put(ORDER_FILE, union.modulesOrder());
                    files.putAll(index.unionIndexFiles());
                    // Served first, kept after: the mount need not wait for the cache directory's disk.
                    made.complete(files);
                    union.keepIndexFiles(cacheDirectory, files);
                } catch (IOException e) {
                    made.completeExceptionally(new UncheckedIOException(e));
                } catch (RuntimeException | Error e) {
                    made.completeExceptionally(e);
                }
            }, "kmodpack-union-index");
            unionIndexThread.setDaemon(true);
            unionIndexThread.start();
            return Optional.of(new UnionTree(base, layers, union.layerFiles(), names, made, union.indexTime()));
        }

        /**
         * The module directory of the base alone, or of the union as one tree: the base's and the layers' entries
         * served as they are when the base's index answers for the union ({@link #mergedTree}), else the union
         * bundle's ({@link #bundle}).
         */
        ServedTree tree() throws IOException {
            Optional<UnionTree> merged = mergedTree();
            return merged.isPresent() ? merged.get() : ServedTree.modulesOf(bundle());
        }

        /** With layers, {@link LayerOptions#checkSymbols} on their union (the caller closes this if refused). */
        void checkSymbols(PrintWriter err) throws IOException {
            if (union != null) {
                LayerOptions.checkSymbols(base, union, cacheDirectory, err);
            }
        }

        /** The layers, in order. */
        List<Bundle> layers() {
            return layers;
        }

        /** The base bundle, whose kernel version is the union's. */
        Bundle base() {
            return base;
        }

        /**
         * The module index lookups answer from: the base's, merged with the layers' modules at lookup time, or
         * the union's when the base's index cannot answer for it ({@link ModuleIndex#layered}).
         */
        ModuleIndex index() throws IOException {
            if (union == null) {
                return ModuleIndex.of(base);
            }
            Optional<ModuleIndex> merged = ModuleIndex.layered(base, layers, cacheDirectory);
            return merged.isPresent() ? merged.get() : ModuleIndex.of(bundle());
        }

        /** The base as the user named it, with each layer after a '+'. */
        String name() {
            StringBuilder name = new StringBuilder(base.toString());
            layers.forEach(layer -> name.append('+').append(layer));
            return name.toString();
        }

        /** Whether lookups merge the base's index with the layers' modules, rather than index the union whole. */
        boolean mergesAtLookupTime() throws IOException {
            return union != null && ModuleIndex.layered(base, layers, cacheDirectory).isPresent();
        }

        /** Each layer as the user named it, in order, with the module files it brings to the union. */
        Map<String, List<String>> layerModules() {
            Map<String, List<String>> modules = new LinkedHashMap<>();
            layers.forEach(layer -> modules.put(layer.toString(), new ArrayList<>()));
            new TreeMap<>(layerOrigins).forEach((path, layer) -> {
                if (ModuleNames.isModuleFile(path)) {
                    modules.get(layer).add(path);
                }
            });
            return modules;
        }

        /** The layer a file or symlink of the union comes from, as the user named it; null for the base's. */
        String layerOf(String path) {
            return layerOrigins.get(path);
        }

        @Override
        public void close() throws IOException {
            if (unionIndexThread != null) {
                // Still reading the bundles, or writing the files kept for the next mount.
                try {
                    unionIndexThread.join();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            try (base) {
                if (unionBundle != null) {
                    unionBundle.close();
                }
            } finally {
                for (Bundle layer : layers) {
                    layer.close();
                }
            }
        }
    }

    /**
     * As {@link #open}, for the commands that merge the layers into what they use (modprobe, modinfo, insmod,
     * initramfs; mount checks beside its setup): with --layer, a layer module needing a symbol the union does not
     * provide is refused ({@link #checkSymbols}), and a base that records no kernel symbols is warned about on
     * {@code err}.
     */
    Opened openChecked(String baseLocation, Path cacheDirectory, Opener opener, PrintWriter err) throws IOException {
        Opened opened = open(baseLocation, cacheDirectory, opener);
        try {
            opened.checkSymbols(err);
        } catch (IOException | RuntimeException refused) {
            opened.close();
            throw refused;
        }
        return opened;
    }

    /**
     * depmod -e -F (or -E) on the union, from what the base recorded of the kernel's symbols: the first module that
     * needs a symbol nothing provides (or, with Module.symvers, at another version) refuses the whole merge, in one
     * line naming the layer, the module and the symbol. Without the kernel's symbols nothing can be checked: a
     * warning on {@code err} says how to record them.
     */
    static void checkSymbols(Bundle base, LayerUnion union, Path cacheDirectory, PrintWriter err)
            throws IOException {
        Optional<List<UnionSymbolCheck.Unresolved>> found = UnionSymbolCheck.check(base, union.layerFiles(),
                union.depmodConfig(), cacheDirectory);
        if (found.isEmpty()) {
            err.println("kmodpack: warning: " + base + " records no kernel symbols, so the layers' modules were not "
                    + "checked for symbols nothing exports; pack the base with --system-map FILE or --symvers FILE");
            err.flush();
            return;
        }
        if (found.get().isEmpty()) {
            return;
        }
        UnionSymbolCheck.Unresolved first = found.get().get(0);
        KmodProblem problem = first.problem();
        boolean fromLayer = union.layerFiles().containsKey(problem.subject());
        String module = fromLayer ? problem.subject() : problem.subject() + " of the base";
        String what = problem.kind() == KmodProblem.Kind.SYMBOL_VERSION_MISMATCH
                ? module + " disagrees about version of symbol " + problem.detail() + " (built for another kernel "
                        + "than " + base + "'s Module.symvers)"
                : module + " needs unknown symbol " + problem.detail() + (fromLayer
                        ? ", which neither the kernel nor a module of " + base + " and its layers exports"
                        : ", which only the base module this layer overrides exported");
        int more = found.get().size() - 1;
        throw new IOException(first.layer() + ": " + what + (more > 0 ? " (and " + more + " more)" : "")
                + "; rebuild the layer's modules for this kernel, or drop the layer");
    }

    /**
     * {@code baseLocation} opened by {@code opener}, or with --layer the base and the layers, each opened by
     * {@code opener} trusting the --layer-trust keys too, checked to fit together; a union built whole is kept in
     * {@code cacheDirectory}. depmod's warnings about the union are not printed: kmod's modprobe, whose answers
     * these are, prints none either (kmodpack merge prints them).
     */
    Opened open(String baseLocation, Path cacheDirectory, Opener opener) throws IOException {
        Bundle base = opener.open(baseLocation, List.of());
        if (layers.isEmpty()) {
            return new Opened(base, List.of(), null, cacheDirectory, Map.of());
        }
        List<Bundle> opened = new ArrayList<>();
        try {
            for (String layer : layers) {
                opened.add(opener.open(layer, layerTrust));
            }
            LayerUnion union = LayerUnion.of(base, opened, allowShadow);
            Map<String, String> fromLayers = new HashMap<>();
            union.layerFiles().forEach((path, layer) -> fromLayers.put(path, layer.toString()));
            return new Opened(base, List.copyOf(opened), union, cacheDirectory, fromLayers);
        } catch (IOException | RuntimeException failed) {
            for (Bundle layer : opened) {
                layer.close();
            }
            base.close();
            throw failed;
        }
    }
}
