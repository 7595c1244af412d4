package org.kmodpack.modules;

import java.io.IOException;
import java.nio.file.Path;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.kmodpack.format.LayerSection;
import org.kmodpack.format.ModuleContent.Value;
import org.kmodpack.format.ModuleSection;
import org.kmodpack.format.ModuleSection.KeyTable;
import org.kmodpack.reader.Bundle;
import org.kmodpack.reader.Entry;

/**
 * A base's MODULES section and its layers' modules merged at lookup time, answering as the index kmod 30's depmod
 * writes for the union (spec section 15.3) without indexing the base again: the base's modules keep their lines,
 * aliases and symbols; each layer module's line, aliases, symbols and softdeps come from its own file. Modules are
 * numbered base first ({@code 0..b-1}, the base's numbers), then the layers' in the union's modules.order.
 *
 * <p>The base's index holds each module's line but not the symbols it needs, so a merge is made only when the base's
 * lines stay what depmod writes for the union: no layer depmod.d file, every module in modules.order, no base module
 * needing a layer's module (a layer exports no symbol a base module exports; a base module a layer overrides has no
 * users, no dependencies, and its exports are a layer's too), and the order depmod sorts a layer module's line in
 * known from the base's lines. {@link #merge} is empty otherwise, and the union is indexed whole instead. One case
 * is not seen: a base module needing a symbol no base module exports, which a layer's module exports (the base's
 * index does not keep what its modules need); out-of-tree modules export symbols of their own, which no in-tree
 * module was built to need.
 */
final class LayeredLookup implements ModuleLookup {
    private static final String SYMBOL_PREFIX = "symbol:";

    private final ModuleSection base;
    private final int baseCount;
    /** Which base modules modules.order names: the layers' modules are numbered after those, before the others. */
    private final UnorderedModules ordered;
    private final List<LayerModule> modules;
    private final Map<String, Integer> byName;
    /** Each layer module's aliases as modules.alias.bin keys, made once: every alias lookup tries them all. */
    private final List<List<AliasKey>> aliasKeys = new ArrayList<>();
    /** Base modules a layer overrides: their base aliases, symbols and softdeps are not the union's. */
    private final Set<String> overridden;
    private final String softdeps;

    /** A layer's module: its union number, file, and what depmod reads of it; {@code line} is its modules.dep. */
    private record LayerModule(String name, String path, Bundle bundle, ModuleSymbols symbols, int[] line) {
    }

    private LayeredLookup(ModuleSection base, UnorderedModules ordered, List<LayerModule> modules,
            Set<String> overridden, String softdeps) {
        this.base = base;
        this.baseCount = base.moduleCount();
        this.ordered = ordered;
        this.modules = modules;
        this.overridden = Set.copyOf(overridden);
        this.softdeps = softdeps;
        this.byName = new HashMap<>();
        for (int i = 0; i < modules.size(); i++) {
            byName.put(modules.get(i).name(), baseCount + i);
            List<AliasKey> keys = new ArrayList<>();
            for (String alias : modules.get(i).symbols().aliases()) {
                ModuleNames.underscores(alias).ifPresent(key -> keys.add(AliasKey.of(key)));
            }
            aliasKeys.add(keys);
        }
    }

    /** An alias as a key of modules.alias.bin ('-' as '_' outside brackets), and whether it is a pattern. */
    private record AliasKey(byte[] pattern, boolean wild) {
        static AliasKey of(String key) {
            return new AliasKey(key.getBytes(StandardCharsets.UTF_8),
                    key.indexOf('*') >= 0 || key.indexOf('?') >= 0 || key.indexOf('[') >= 0);
        }

        boolean matches(byte[] key) {
            return wild ? Fnmatch.matches(pattern, key) : Arrays.equals(pattern, key);
        }
    }

    /** Whether module {@code module} is a layer's (numbered after the base's), not the base's. */
    boolean isLayerModule(int module) {
        return module >= baseCount;
    }

    /** What depmod reads of layer module {@code module}'s file ({@link #isLayerModule}). */
    ModuleSymbols layerModuleSymbols(int module) {
        return modules.get(module - baseCount).symbols();
    }

    /** The names of the base modules a layer's module overrides. */
    Set<String> overriddenBaseModules() {
        return overridden;
    }

    /** The names of the base modules the base's modules.order does not name. */
    Set<String> unorderedBaseModules() {
        Set<String> names = new HashSet<>();
        ordered.unordered().forEach(module -> names.add(base.moduleName(module)));
        return names;
    }

    /** The bundle holding each layer module's file, by path. */
    Map<String, Bundle> layerFiles() {
        Map<String, Bundle> files = new HashMap<>();
        modules.forEach(module -> files.put(module.path(), module.bundle()));
        return files;
    }

    /**
     * The union of {@code baseBundle} (whose section is {@code base}) and {@code layers}, which the caller has
     * checked to fit it; {@code cacheDirectory} keeps what the base's modules.order tells ({@link UnorderedModules}).
     * Empty when the base's index cannot answer for the union (see the class comment).
     */
    static Optional<LayeredLookup> merge(Bundle baseBundle, ModuleSection base, List<Bundle> layers,
            Path cacheDirectory) throws IOException {
        for (String file : UnionIndexFiles.BASE_FILES) {
            if (baseBundle.find(file).filter(Entry::isFile).isEmpty()) {
                return Optional.empty();
            }
        }
        Optional<UnorderedModules> found = UnorderedModules.of(baseBundle, base, cacheDirectory);
        if (found.isEmpty()) {
            return Optional.empty();
        }
        UnorderedModules ordered = found.get();
        Map<String, Integer> position = new HashMap<>();
        List<Candidate> candidates = new ArrayList<>();
        for (Bundle layer : layers) {
            LayerSection section = layer.layer().orElseThrow();
            if (!section.config().isEmpty() || !ModuleOrder.isTerminated(section.order())) {
                return Optional.empty();
            }
            for (String line : ModuleOrder.lines(section.order())) {
                int named = base.findModule(ModuleNames.underscores(ModuleNames.fromPath(line)).orElse(""));
                if (named >= 0 && ModuleNames.uncompressedPath(base.modulePath(named)).equals(line)) {
                    return Optional.empty();
                }
                position.put(line, position.size());
            }
            for (Entry entry : layer.entries()) {
                if (ModuleNames.isModuleFile(entry.path())) {
                    if (!entry.isFile()) {
                        return Optional.empty();
                    }
                    candidates.add(new Candidate(entry, layer));
                }
            }
        }
        List<LayerModule> modules = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (Candidate candidate : candidates) {
            String path = candidate.entry().path();
            String name = ModuleNames.fromPath(path);
            if (!position.containsKey(ModuleNames.uncompressedPath(path)) || !names.add(name)) {
                return Optional.empty();
            }
            ModuleSymbols symbols = ModuleSymbols.read(candidate.bundle(), candidate.entry());
            if (symbols.errno() != 0) {
                return Optional.empty();
            }
            modules.add(new LayerModule(name, path, candidate.bundle(), symbols, null));
        }
        modules.sort(Comparator.comparingInt(module -> position.get(ModuleNames.uncompressedPath(module.path()))));

        Map<String, Integer> layerOwners = new HashMap<>();
        for (int i = 0; i < modules.size(); i++) {
            for (ModuleSymbols.Symbol export : modules.get(i).symbols().exports()) {
                layerOwners.put(export.name(), i);
            }
        }
        Set<String> overridden = new HashSet<>();
        for (LayerModule module : modules) {
            int shadowed = base.findModule(module.name());
            if (shadowed < 0) {
                continue;
            }
            String basePath = base.modulePath(shadowed);
            Map<String, String> chosen = ModuleSearch.choose(List.of(basePath, module.path()),
                    DepmodConfig.parse(List.of(), baseBundle.kernelVersion(), problem -> { }));
            if (!chosen.get(module.name()).equals(module.path()) || base.isDependency(shadowed)
                    || base.moduleDeps(shadowed).length > 0) {
                return Optional.empty();
            }
            if (base.hasValueNamed(KeyTable.SYMBOLS, module.name())
                    && !exportsAreLayers(baseBundle, basePath, layerOwners)) {
                return Optional.empty();
            }
            overridden.add(module.name());
        }
        for (String symbol : layerOwners.keySet()) {
            if (!baseOwners(base, symbol, overridden).isEmpty()) {
                return Optional.empty();
            }
        }
        Optional<List<LayerModule>> lined = Lines.of(base, ordered, modules, layerOwners,
                overridden);
        if (lined.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new LayeredLookup(base, ordered, lined.get(), overridden, softdeps(base, lined.get(),
                overridden)));
    }

    /** Whether a layer module exports every symbol the base module file {@code path} exports. */
    private static boolean exportsAreLayers(Bundle baseBundle, String path, Map<String, Integer> layerOwners)
            throws IOException {
        Entry file = baseBundle.find(path).filter(Entry::isFile).orElse(null);
        if (file == null) {
            return false;
        }
        for (ModuleSymbols.Symbol export : ModuleSymbols.read(baseBundle, file).exports()) {
            if (!layerOwners.containsKey(export.name())) {
                return false;
            }
        }
        return true;
    }

    private record Candidate(Entry entry, Bundle bundle) {
    }

    /** The base modules exporting {@code symbol}, other than overridden ones. */
    static List<Value> baseOwners(ModuleSection base, String symbol, Set<String> overridden) {
        byte[] key = (SYMBOL_PREFIX + symbol).getBytes(StandardCharsets.UTF_8);
        ModuleSection.KeyRange keys = base.keysWithLiteralPrefix(KeyTable.SYMBOLS, key, key.length);
        List<Value> owners = new ArrayList<>();
        for (int i = keys.from(); i < keys.to(); i++) {
            if (Arrays.equals(base.keyPattern(KeyTable.SYMBOLS, i), key)) {
                owners.addAll(base.keyValues(KeyTable.SYMBOLS, i));
            }
        }
        owners.removeIf(owner -> overridden.contains(owner.name()));
        return owners;
    }

    /** modules.softdep of the union: the base's lines but for overridden modules, then the layers' modules'. */
    private static String softdeps(ModuleSection base, List<LayerModule> modules, Set<String> overridden) {
        StringBuilder text = new StringBuilder();
        for (String line : base.softdepConfig().split("\n", -1)) {
            String[] words = line.split(" ", 3);
            if (!(words.length > 1 && words[0].equals("softdep") && overridden.contains(words[1]))) {
                text.append(line).append('\n');
            }
        }
        text.setLength(Math.max(0, text.length() - 1));
        if (text.length() == 0) {
            text.append("# Soft dependencies extracted from modules themselves.\n");
        }
        for (LayerModule module : modules) {
            for (String softdep : module.symbols().softdeps()) {
                text.append("softdep ").append(module.name()).append(' ').append(softdep).append('\n');
            }
        }
        return text.toString();
    }

    /**
     * The layer modules' modules.dep lines. depmod's topological sort takes the modules nothing depends on last
     * in first out: the base modules outside modules.order first, as in the base, then the layers' modules with
     * the base modules only they depend on, then the base's others in the base's order. So a base module that only
     * layer modules use must have no dependencies; one that base modules use too must be in modules.order and
     * used by none outside it; and two base modules on one line must be ordered on some base line; or no line is
     * made.
     */
    private static final class Lines {
        private final ModuleSection base;
        private final int baseCount;
        private final UnorderedModules ordered;
        private final List<LayerModule> modules;
        private final List<List<Integer>> direct = new ArrayList<>();

        private Lines(ModuleSection base, UnorderedModules ordered, List<LayerModule> modules) {
            this.base = base;
            this.baseCount = base.moduleCount();
            this.ordered = ordered;
            this.modules = modules;
        }

        static Optional<List<LayerModule>> of(ModuleSection base, UnorderedModules ordered,
                List<LayerModule> modules, Map<String, Integer> layerOwners, Set<String> overridden) {
            Lines lines = new Lines(base, ordered, modules);
            for (LayerModule module : modules) {
                List<Integer> dependencies = new ArrayList<>();
                for (ModuleSymbols.Symbol needed : module.symbols().imports()) {
                    String name = needed.name().startsWith(".") ? needed.name().substring(1) : needed.name();
                    Integer layerOwner = layerOwners.get(name);
                    int owner;
                    if (layerOwner != null) {
                        owner = lines.baseCount + layerOwner;
                    } else {
                        List<Value> owners = baseOwners(base, name, overridden);
                        if (owners.isEmpty()) {
                            continue;
                        }
                        owner = base.findModule(owners.get(0).name());
                    }
                    if (!dependencies.contains(owner)) {
                        dependencies.add(owner);
                    }
                }
                lines.direct.add(dependencies);
            }
            return lines.sorted();
        }

        private Optional<List<LayerModule>> sorted() {
            Map<Integer, Integer> users = new HashMap<>();
            for (List<Integer> dependencies : direct) {
                for (int dependency : dependencies) {
                    if (dependency >= baseCount || !base.isDependency(dependency)) {
                        if (dependency < baseCount && base.moduleDeps(dependency).length > 0) {
                            return Optional.empty();
                        }
                        users.merge(dependency, 1, Integer::sum);
                    } else if (!ordered.isOrdered(dependency) || usedOutsideOrder(dependency)) {
                        // depmod sorts the modules outside modules.order before the layers': one of those using
                        // this module would be sorted with the layers' users of it in between.
                        return Optional.empty();
                    }
                }
            }
            Deque<Integer> roots = new ArrayDeque<>();
            for (int i = 0; i < modules.size(); i++) {
                if (!users.containsKey(baseCount + i)) {
                    roots.push(baseCount + i);
                }
            }
            Map<Integer, Integer> order = new HashMap<>();
            while (!roots.isEmpty()) {
                int next = roots.pop();
                order.put(next, order.size());
                if (next >= baseCount) {
                    for (int dependency : direct.get(next - baseCount)) {
                        Integer left = users.computeIfPresent(dependency, (module, count) -> count - 1);
                        if (left != null && left == 0) {
                            roots.push(dependency);
                        }
                    }
                }
            }
            long earlyBase = users.keySet().stream().filter(module -> module < baseCount).count();
            if (order.size() < modules.size() + earlyBase) {
                return Optional.empty();
            }
            List<LayerModule> lined = new ArrayList<>();
            for (int i = 0; i < modules.size(); i++) {
                Optional<int[]> line = line(i, order);
                if (line.isEmpty()) {
                    return Optional.empty();
                }
                LayerModule module = modules.get(i);
                lined.add(new LayerModule(module.name(), module.path(), module.bundle(), module.symbols(),
                        line.get()));
            }
            return Optional.of(lined);
        }

        /** Whether a base module modules.order does not name has {@code module} on its line. */
        private boolean usedOutsideOrder(int module) {
            for (int user : ordered.unordered()) {
                if (contains(base.moduleDeps(user), module)) {
                    return true;
                }
            }
            return false;
        }

        /** Layer module {@code i}'s dependencies, direct and indirect, in depmod's order; empty when unknown. */
        private Optional<int[]> line(int i, Map<Integer, Integer> layerOrder) {
            Set<Integer> all = new LinkedHashSet<>();
            Deque<Integer> pending = new ArrayDeque<>(direct.get(i));
            while (!pending.isEmpty()) {
                int next = pending.pop();
                if (all.add(next)) {
                    if (next >= baseCount) {
                        pending.addAll(direct.get(next - baseCount));
                    } else {
                        for (int dependency : base.moduleDeps(next)) {
                            pending.add(dependency);
                        }
                    }
                }
            }
            List<Integer> early = new ArrayList<>();
            List<Integer> late = new ArrayList<>();
            for (int module : all) {
                (layerOrder.containsKey(module) ? early : late).add(module);
            }
            early.sort(Comparator.comparingInt(layerOrder::get));
            try {
                late.sort(this::baseOrder);
            } catch (IllegalStateException unknown) {
                return Optional.empty();
            }
            int[] line = new int[all.size()];
            int at = 0;
            for (int module : early) {
                line[at++] = module;
            }
            for (int module : late) {
                line[at++] = module;
            }
            return Optional.of(line);
        }

        /**
         * The order of two base modules in depmod's sort of the base: a module comes before what it depends on,
         * and two modules on one line come in that line's order.
         */
        private int baseOrder(int first, int second) {
            if (first == second) {
                return 0;
            }
            if (contains(base.moduleDeps(first), second)) {
                return -1;
            }
            if (contains(base.moduleDeps(second), first)) {
                return 1;
            }
            for (int user = 0; user < baseCount; user++) {
                int[] line = base.moduleDeps(user);
                int a = indexOf(line, first);
                int b = a < 0 ? -1 : indexOf(line, second);
                if (b >= 0) {
                    return Integer.compare(a, b);
                }
            }
            throw new IllegalStateException("no base line orders " + first + " and " + second);
        }

        private static boolean contains(int[] line, int module) {
            return indexOf(line, module) >= 0;
        }

        private static int indexOf(int[] line, int module) {
            for (int i = 0; i < line.length; i++) {
                if (line[i] == module) {
                    return i;
                }
            }
            return -1;
        }
    }

    @Override
    public int moduleCount() {
        return baseCount + modules.size();
    }

    @Override
    public int findModule(String name) {
        Integer layer = byName.get(name);
        return layer != null ? layer : base.findModule(name);
    }

    @Override
    public String moduleName(int module) {
        return module < baseCount ? base.moduleName(module) : modules.get(module - baseCount).name();
    }

    @Override
    public String modulePath(int module) {
        return module < baseCount ? base.modulePath(module) : modules.get(module - baseCount).path();
    }

    @Override
    public int[] moduleDeps(int module) {
        return module < baseCount ? base.moduleDeps(module) : modules.get(module - baseCount).line().clone();
    }

    @Override
    public boolean isBuiltin(String name) {
        return base.isBuiltin(name);
    }

    /**
     * The base's values (but an overridden module's) with the layer modules' in their order: kmod lists values by
     * the module's number, and depmod numbers the layers' modules after the base's in modules.order, before the
     * base's others.
     */
    @Override
    public List<Value> search(KeyTable table, String key) {
        List<Value> fromLayers = new ArrayList<>();
        byte[] keyBytes = key.getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < modules.size(); i++) {
            LayerModule module = modules.get(i);
            if (table == KeyTable.ALIASES) {
                for (AliasKey alias : aliasKeys.get(i)) {
                    if (alias.matches(keyBytes)) {
                        fromLayers.add(new Value(module.name(), baseCount + i));
                    }
                }
            } else if (table == KeyTable.SYMBOLS && key.startsWith(SYMBOL_PREFIX)
                    && ownsSymbol(i, key.substring(SYMBOL_PREFIX.length()))) {
                fromLayers.add(new Value(module.name(), baseCount + i));
            }
        }
        List<Value> fromBase = WildcardSearch.search(base, table, key);
        if (fromLayers.isEmpty() && !namesOverridden(fromBase)) {
            return fromBase;
        }
        List<Value> found = new ArrayList<>(fromBase);
        found.removeIf(value -> overridden.contains(value.name()));
        int layersAt = 0;
        while (layersAt < found.size() && isOrderedBaseModule(found.get(layersAt).name())) {
            layersAt++;
        }
        found.addAll(layersAt, fromLayers);
        return found;
    }

    /** Whether a value's module is a base module modules.order names (a builtin is no module). */
    private boolean isOrderedBaseModule(String name) {
        int module = base.findModule(name);
        return module < 0 || ordered.isOrdered(module);
    }

    /** Whether layer module {@code i} is the union's owner of {@code symbol}: the last layer module exporting it. */
    private boolean ownsSymbol(int i, String symbol) {
        if (!exports(modules.get(i), symbol)) {
            return false;
        }
        for (int later = i + 1; later < modules.size(); later++) {
            if (exports(modules.get(later), symbol)) {
                return false;
            }
        }
        return true;
    }

    private static boolean exports(LayerModule module, String symbol) {
        for (ModuleSymbols.Symbol export : module.symbols().exports()) {
            if (export.name().equals(symbol)) {
                return true;
            }
        }
        return false;
    }

    /** Whether some value names a base module a layer overrides. */
    private boolean namesOverridden(List<Value> values) {
        if (overridden.isEmpty()) {
            return false;
        }
        for (Value value : values) {
            if (overridden.contains(value.name())) {
                return true;
            }
        }
        return false;
    }

    @Override
    public String softdepConfig() {
        return softdeps;
    }
}
