package org.kmodpack.modules;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * kmod 30's depmod over a {@link ModuleTree}, with no disk access: every index file it writes, byte for byte as
 * Debian 12's depmod writes it for the same tree, plus the problems it reports (as depmod goes on after them).
 * Module files are read, and the index files written, in parallel on the common fork-join pool.
 */
public final class Depmod {
    /** The files depmod writes, in the order it writes them (kmod 30 writes no modules.weakdep). */
    public static final List<String> INDEX_FILES = List.of("modules.dep", "modules.dep.bin", "modules.alias",
            "modules.alias.bin", "modules.softdep", "modules.symbols", "modules.symbols.bin", "modules.builtin.bin",
            "modules.builtin.alias.bin", "modules.devname");
    /** What depmod -n prints, concatenated in this order: the text files (it writes no .bin to stdout). */
    public static final List<String> TEXT_FILES = List.of("modules.dep", "modules.alias", "modules.softdep",
            "modules.symbols", "modules.devname");

    private Depmod() {
    }

    /**
     * The index files of {@code tree}, named as in {@link #INDEX_FILES} and in that order. Problems are given to
     * {@code problems} in the order depmod prints them, with paths as the tree gives them.
     *
     * @throws DepmodCycleException when modules depend on each other in a circle (depmod then writes nothing)
     * @throws IOException when the tree cannot give a file it listed other than a module
     */
    public static Map<String, byte[]> run(ModuleTree tree, DepmodOptions options, Consumer<KmodProblem> problems)
            throws IOException {
        Set<String> files = new HashSet<>(tree.files());
        return index(tree, files, ModuleSearch.choose(files, options.config()), options, problems);
    }

    /**
     * As depmod does with module files named on its command line: exactly {@code modules} (paths of the tree),
     * whatever their names end in, with no search, override or exclude rule; the tree's modules.order,
     * modules.builtin and modules.builtin.modinfo are read as for a whole tree.
     *
     * @throws IllegalArgumentException when two of {@code modules} have the same module name (depmod refuses)
     */
    public static Map<String, byte[]> run(ModuleTree tree, List<String> modules, DepmodOptions options,
            Consumer<KmodProblem> problems) throws IOException {
        Map<String, String> named = new HashMap<>();
        for (String path : modules) {
            String other = named.putIfAbsent(ModuleNames.fromPath(path), path);
            if (other != null) {
                throw new IllegalArgumentException(path + " and " + other + " are both module "
                        + ModuleNames.fromPath(path) + "; name one of them");
            }
        }
        return index(tree, new HashSet<>(tree.files()), named, options, problems);
    }

    private static Map<String, byte[]> index(ModuleTree tree, Set<String> files, Map<String, String> chosen,
            DepmodOptions options, Consumer<KmodProblem> problems) throws IOException {
        List<DepmodModule> modules = ModuleOrder.arrange(chosen, optional(tree, files, ModuleOrder.ORDER_FILE),
                problems);
        readModules(tree, modules);
        for (DepmodModule module : modules) {
            if (module.symbols.errno() != 0) {
                problems.accept(new KmodProblem(KmodProblem.Kind.MODULE_UNREADABLE, module.path, 0,
                        Integer.toString(module.symbols.errno())));
            }
        }
        SymbolResolution symbols = SymbolResolution.resolve(modules, options.kernelSymbols().orElse(null), options,
                problems);
        DependencyOrder.sort(modules);

        return write(modules, DepFiles::closurePaths, symbols, optional(tree, files, BuiltinFiles.BUILTIN),
                optional(tree, files, BuiltinFiles.BUILTIN_MODINFO), options.warnDuplicates(), problems);
    }

    /**
     * The index files of {@code modules} (depmod's array, each with its number and what depmod read of its file),
     * named as in {@link #INDEX_FILES} and in that order: each module's modules.dep line given by {@code lines}
     * (its dependencies' paths), the symbols' owners by {@code symbols}, the builtins from the tree's
     * modules.builtin and modules.builtin.modinfo (null when absent).
     */
    static Map<String, byte[]> write(List<DepmodModule> modules, Function<DepmodModule, List<String>> lines,
            SymbolResolution symbols, byte[] builtin, byte[] builtinModinfo, boolean warnDuplicates,
            Consumer<KmodProblem> problems) {
        // The writers are independent: they run side by side, their problems reported in depmod's order.
        List<KmodProblem> aliasProblems = new ArrayList<>();
        List<KmodProblem> builtinProblems = new ArrayList<>();
        List<KmodProblem> devnameProblems = new ArrayList<>();
        CompletableFuture<byte[][]> dep = CompletableFuture.supplyAsync(() -> DepFiles.write(modules, lines));
        CompletableFuture<byte[][]> symbolFiles = CompletableFuture.supplyAsync(() -> SymbolFiles.write(symbols));
        CompletableFuture<byte[]> aliasesBin = CompletableFuture.supplyAsync(
                () -> ModinfoFiles.aliasesBin(modules, warnDuplicates, aliasProblems::add));
        byte[] builtinBin = BuiltinFiles.names(builtin, builtinProblems::add);
        byte[] builtinAliasBin = BuiltinFiles.aliases(builtinModinfo, builtinProblems::add);
        byte[] devnames = ModinfoFiles.devnames(modules, devnameProblems::add);
        Map<String, byte[]> out = new LinkedHashMap<>();
        out.put("modules.dep", dep.join()[0]);
        out.put("modules.dep.bin", dep.join()[1]);
        out.put("modules.alias", ModinfoFiles.aliases(modules));
        out.put("modules.alias.bin", aliasesBin.join());
        out.put("modules.softdep", ModinfoFiles.softdeps(modules));
        out.put("modules.symbols", symbolFiles.join()[0]);
        out.put("modules.symbols.bin", symbolFiles.join()[1]);
        out.put("modules.builtin.bin", builtinBin);
        out.put("modules.builtin.alias.bin", builtinAliasBin);
        out.put("modules.devname", devnames);
        aliasProblems.forEach(problems);
        builtinProblems.forEach(problems);
        devnameProblems.forEach(problems);
        return out;
    }

    private static void readModules(ModuleTree tree, List<DepmodModule> modules) {
        modules.parallelStream().forEach(module -> {
            try {
                module.symbols = ModuleSymbols.read(module.path, tree.read(module.path));
            } catch (IOException unreadable) {
                module.symbols = ModuleSymbols.failed(Errno.EIO);
            }
        });
    }

    private static byte[] optional(ModuleTree tree, Set<String> files, String name) throws IOException {
        if (!files.contains(name)) {
            return null;
        }
        ByteBuffer contents = tree.read(name);
        byte[] bytes = new byte[contents.remaining()];
        contents.get(contents.position(), bytes);
        return bytes;
    }
}
