package org.kmodpack.modules;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Consumer;
import java.util.stream.IntStream;

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
        // The module files are read on the common pool while this thread orders the modules and indexes the
        // built-in ones, which needs none of them.
        CompletableFuture<Map<String, ModuleSymbols>> read = CompletableFuture.supplyAsync(
                () -> readModules(tree, chosen.values()));
        List<DepmodModule> modules = ModuleOrder.arrange(chosen, optional(tree, files, ModuleOrder.ORDER_FILE),
                problems);
        Builtins builtins = Builtins.index(optional(tree, files, BuiltinFiles.BUILTIN),
                optional(tree, files, BuiltinFiles.BUILTIN_MODINFO));
        Map<String, ModuleSymbols> symbolsByPath = join(read);
        for (DepmodModule module : modules) {
            module.symbols = symbolsByPath.get(module.path);
        }
        for (DepmodModule module : modules) {
            if (module.symbols.errno() != 0) {
                problems.accept(new KmodProblem(KmodProblem.Kind.MODULE_UNREADABLE, module.path, 0,
                        Integer.toString(module.symbols.errno())));
            }
        }
        SymbolResolution symbols = SymbolResolution.resolve(modules, options.kernelSymbols().orElse(null), options,
                problems);
        DependencyOrder.sort(modules);

        return write(modules, symbols, builtins, options.warnDuplicates(), problems);
    }

    /** The two built-in index files and what indexing them found wrong, reported after the aliases' problems. */
    private record Builtins(byte[] namesBin, byte[] aliasesBin, List<KmodProblem> problems) {
        /** From the tree's modules.builtin and modules.builtin.modinfo (null when absent). */
        static Builtins index(byte[] builtin, byte[] builtinModinfo) {
            List<KmodProblem> problems = new ArrayList<>();
            byte[] namesBin = BuiltinFiles.names(builtin, problems::add);
            byte[] aliasesBin = BuiltinFiles.aliases(builtinModinfo, problems::add);
            return new Builtins(namesBin, aliasesBin, List.copyOf(problems));
        }
    }

    /**
     * The index files of {@code modules} (depmod's array, each with its number, what depmod read of its file and
     * its dependencies), named as in {@link #INDEX_FILES} and in that order: the symbols' owners by
     * {@code symbols}, the built-in ones {@code builtins}.
     */
    private static Map<String, byte[]> write(List<DepmodModule> modules, SymbolResolution symbols, Builtins builtins,
            boolean warnDuplicates, Consumer<KmodProblem> problems) {
        // The writers are independent: they run side by side, their problems reported in depmod's order.
        List<KmodProblem> aliasProblems = new ArrayList<>();
        List<KmodProblem> devnameProblems = new ArrayList<>();
        CompletableFuture<byte[][]> dep = CompletableFuture.supplyAsync(() -> DepFiles.write(modules));
        CompletableFuture<byte[][]> symbolFiles = CompletableFuture.supplyAsync(() -> SymbolFiles.write(symbols));
        CompletableFuture<byte[]> aliasesBin = CompletableFuture.supplyAsync(
                () -> ModinfoFiles.aliasesBin(modules, warnDuplicates, aliasProblems::add));
        byte[] devnames = ModinfoFiles.devnames(modules, devnameProblems::add);
        Map<String, byte[]> out = new LinkedHashMap<>();
        out.put("modules.dep", dep.join()[0]);
        out.put("modules.dep.bin", dep.join()[1]);
        out.put("modules.alias", ModinfoFiles.aliases(modules));
        out.put("modules.alias.bin", aliasesBin.join());
        out.put("modules.softdep", ModinfoFiles.softdeps(modules));
        out.put("modules.symbols", symbolFiles.join()[0]);
        out.put("modules.symbols.bin", symbolFiles.join()[1]);
        out.put("modules.builtin.bin", builtins.namesBin());
        out.put("modules.builtin.alias.bin", builtins.aliasesBin());
        out.put("modules.devname", devnames);
        aliasProblems.forEach(problems);
        builtins.problems().forEach(problems);
        devnameProblems.forEach(problems);
        return out;
    }

    /** Each module file's symbols by its path, the files read in path order (their order on disk, mostly). */
    private static Map<String, ModuleSymbols> readModules(ModuleTree tree, Collection<String> paths) {
        String[] sorted = paths.toArray(String[]::new);
        Arrays.sort(sorted);
        ModuleSymbols[] symbols = new ModuleSymbols[sorted.length];
        ThreadLocal<ModuleSymbols.SymbolPool> pools = ThreadLocal.withInitial(ModuleSymbols.SymbolPool::new);
        IntStream.range(0, sorted.length).parallel().forEach(i -> {
            ModuleFacts facts = tree.facts(sorted[i]);
            if (facts != null) {
                symbols[i] = facts.symbols;
                return;
            }
            try {
                symbols[i] = ModuleSymbols.read(sorted[i], tree.read(sorted[i]), pools.get());
            } catch (IOException unreadable) {
                symbols[i] = ModuleSymbols.failed(Errno.EIO);
            }
        });
        Map<String, ModuleSymbols> byPath = new HashMap<>(sorted.length * 2);
        for (int i = 0; i < sorted.length; i++) {
            byPath.put(sorted[i], symbols[i]);
        }
        return byPath;
    }

    /** The value of {@code task}; what it threw unchecked is thrown as it was. */
    private static <T> T join(CompletableFuture<T> task) {
        try {
            return task.join();
        } catch (CompletionException failed) {
            if (failed.getCause() instanceof RuntimeException unchecked) {
                throw unchecked;
            }
            if (failed.getCause() instanceof Error error) {
                throw error;
            }
            throw failed;
        }
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
