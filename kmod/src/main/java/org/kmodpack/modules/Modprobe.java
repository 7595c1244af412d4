package org.kmodpack.modules;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import org.kmodpack.format.ModuleContent.Value;
import org.kmodpack.format.ModuleSection.KeyTable;

/**
 * One modprobe run over a bundle's module index: kmod's lookups and probe lists, with libkmod's module pool
 * (a module reached by name and the same module reached through an alias are distinct objects, each with its
 * own visited mark, exactly as in libkmod, which decides what --show-depends prints twice). Not thread-safe;
 * create one per thread, they are cheap.
 */
public final class Modprobe {
    private final ModuleLookup index;
    private final ModprobeConfig config;
    private final String moduleDir;
    private final Consumer<KmodProblem> errors;
    private final Map<String, Mod> pool = new HashMap<>();
    private final byte[][] aliasPatterns;
    private final byte[][] softdepPatterns;
    private final byte[][] installPatterns;
    private int generation;

    Modprobe(ModuleLookup index, ModprobeConfig config, String moduleDir, Consumer<KmodProblem> errors) {
        this.index = index;
        this.config = config;
        this.moduleDir = moduleDir;
        this.errors = errors;
        this.aliasPatterns = config.aliases().stream().map(a -> utf8(a.pattern())).toArray(byte[][]::new);
        this.softdepPatterns = config.softdeps().stream().map(d -> utf8(d.pattern())).toArray(byte[][]::new);
        this.installPatterns = config.installCommands().stream().map(c -> utf8(c.module())).toArray(byte[][]::new);
    }

    private static byte[] utf8(String s) {
        return s.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }

    /** The module directory as kmod spells it (ROOT/lib/modules/KVER), which steps' paths start with. */
    public String moduleDirectory() {
        return moduleDir;
    }

    /** What {@code modprobe -R NAME} prints: the names a lookup finds, empty when it finds nothing. */
    public List<String> resolve(String nameOrAlias) {
        List<Mod> found = lookup(nameOrAlias);
        List<String> names = new ArrayList<>(found == null ? 0 : found.size());
        if (found != null) {
            found.forEach(m -> names.add(m.name));
        }
        return names;
    }

    /**
     * What {@code modprobe --show-depends NAME [OPTIONS]} prints, in order; empty when kmod finds no module
     * (it then reports "not found"). {@code extraOptions} (null for none) go to the named module only;
     * {@code useBlacklist} is modprobe's -b.
     */
    public Optional<List<ProbeStep>> showDepends(String nameOrAlias, String extraOptions, boolean useBlacklist) {
        return showDepends(nameOrAlias, extraOptions, useBlacklist, false);
    }

    /**
     * As {@link #showDepends(String, String, boolean)}; with {@code ignoreCommands} (modprobe -i) the named
     * module's install command and softdeps do not apply, as KMOD_PROBE_IGNORE_COMMAND has it.
     */
    public Optional<List<ProbeStep>> showDepends(String nameOrAlias, String extraOptions, boolean useBlacklist,
            boolean ignoreCommands) {
        return probePlans(nameOrAlias, extraOptions, useBlacklist, ignoreCommands).map(plans -> {
            List<ProbeStep> steps = new ArrayList<>();
            plans.forEach(plan -> steps.addAll(plan.steps()));
            return steps;
        });
    }

    /**
     * What loading NAME does, one plan per module the lookup finds (kmod probes each in turn); empty when kmod
     * finds no module. A blacklisted module's plan has no steps.
     */
    public Optional<List<ProbePlan>> probePlans(String nameOrAlias, String extraOptions, boolean useBlacklist) {
        return probePlans(nameOrAlias, extraOptions, useBlacklist, false);
    }

    /** As {@link #probePlans(String, String, boolean)}, ignoring the named module's commands as modprobe -i. */
    public Optional<List<ProbePlan>> probePlans(String nameOrAlias, String extraOptions, boolean useBlacklist,
            boolean ignoreCommands) {
        List<Mod> found = lookup(nameOrAlias);
        if (found == null || found.isEmpty()) {
            return Optional.empty();
        }
        List<ProbePlan> plans = new ArrayList<>();
        for (Mod mod : found) {
            List<ProbeStep> steps = new ArrayList<>();
            boolean blacklisted = probe(mod, extraOptions, useBlacklist, ignoreCommands, steps);
            plans.add(new ProbePlan(mod.name, isBuiltin(mod), blacklisted, steps));
        }
        return Optional.of(plans);
    }

    /**
     * What {@code modprobe -r NAME} works on: each module the lookup finds (empty when none) with its remove
     * command and the modules of its softdep, as kmod_module_get_softdeps finds them.
     */
    public List<RemovePlan> removePlans(String nameOrAlias) {
        return removePlans(nameOrAlias, false);
    }

    /** As {@link #removePlans(String)}; with {@code ignoreCommands} (modprobe -r -i) no remove command applies. */
    public List<RemovePlan> removePlans(String nameOrAlias, boolean ignoreCommands) {
        List<Mod> found = lookup(nameOrAlias);
        List<RemovePlan> plans = new ArrayList<>();
        if (found == null) {
            return plans;
        }
        for (Mod mod : found) {
            List<String> pre = new ArrayList<>();
            List<String> post = new ArrayList<>();
            for (ModprobeConfig.Softdep softdep : config.softdeps()) {
                if (Fnmatch.matches(utf8(softdep.pattern()), mod.nameBytes)) {
                    softdep.pre().forEach(n -> resolve(n).forEach(pre::add));
                    softdep.post().forEach(n -> resolve(n).forEach(post::add));
                    break;
                }
            }
            String remove = null;
            List<ModprobeConfig.Command> removeCommands = ignoreCommands ? List.of() : config.removeCommands();
            for (ModprobeConfig.Command command : removeCommands) {
                if (Fnmatch.matches(utf8(command.module()), mod.nameBytes)) {
                    remove = command.command();
                    break;
                }
            }
            plans.add(new RemovePlan(mod.name, isBuiltin(mod), remove, pre, post));
        }
        return plans;
    }

    /** kmod_module_new_from_lookup: config aliases, modules.dep, symbols, commands, aliases, builtins. */
    List<Mod> lookup(String given) {
        String name = ModuleNames.underscores(given).orElse(null);
        if (name == null) {
            return null;
        }
        List<Mod> list = new ArrayList<>();
        byte[] nameBytes = aliasPatterns.length == 0 ? null : utf8(name);
        for (int i = 0; i < aliasPatterns.length; i++) {
            if (Fnmatch.matches(aliasPatterns[i], nameBytes)) {
                ModprobeConfig.Alias alias = config.aliases().get(i);
                list.add(module(alias.module(), alias.pattern()));
            }
        }
        if (!list.isEmpty()) {
            return list;
        }
        if (name.indexOf(':') < 0) {
            Mod mod = module(name, null);
            if (moduleIndex(mod) >= 0) {
                return List.of(mod);
            }
        }
        if (name.startsWith("symbol:")) {
            addValues(list, index.search(KeyTable.SYMBOLS, name), name, false);
            if (!list.isEmpty()) {
                return list;
            }
        }
        for (List<ModprobeConfig.Command> commands : List.of(config.installCommands(), config.removeCommands())) {
            for (ModprobeConfig.Command command : commands) {
                if (command.module().equals(name)) {
                    Mod mod = module(name, null);
                    if (commands == config.installCommands()) {
                        mod.install = command.command();
                        mod.installKnown = true;
                    }
                    return List.of(mod);
                }
            }
        }
        addValues(list, index.search(KeyTable.ALIASES, name), name, false);
        if (!list.isEmpty()) {
            return list;
        }
        if (index.isBuiltin(name)) {
            Mod mod = module(name, null);
            mod.builtin = true;
            return List.of(mod);
        }
        addValues(list, index.search(KeyTable.BUILTIN_ALIASES, name), name, true);
        return list;
    }

    private void addValues(List<Mod> list, List<Value> values, String alias, boolean builtin) {
        for (Value value : values) {
            Mod mod = module(value.name(), alias);
            if (builtin) {
                mod.builtin = true;
            }
            list.add(mod);
        }
    }

    /** Fills the steps of probing {@code mod}; true when the blacklist stops it (no steps). */
    private boolean probe(Mod mod, String extraOptions, boolean useBlacklist, boolean ignoreCommands,
            List<ProbeStep> steps) {
        if ((mod.alias != null || useBlacklist) && config.blacklist().contains(mod.name)) {
            return true;
        }
        generation++; // kmod clears every pooled module's visited mark here
        List<Mod> list = new ArrayList<>();
        probeList(mod, list, ignoreCommands);
        // kmod marks the module and its modules.dep dependencies required: only their failures stop a load.
        java.util.Set<Mod> required = new java.util.HashSet<>(dependencies(mod));
        required.add(mod);
        for (Mod m : list) {
            boolean isRequired = required.contains(m);
            String options = concat(options(m), m == mod ? extraOptions : null);
            String install = install(m);
            if (install != null && !m.ignoreCommand) {
                steps.add(new ProbeStep(ProbeStep.Kind.INSTALL, m.name, null, install, options, isRequired));
                continue;
            }
            String path = path(m);
            if (path != null) {
                steps.add(new ProbeStep(ProbeStep.Kind.INSMOD, m.name, path, null, options, isRequired));
            } else if (isBuiltin(m)) {
                steps.add(new ProbeStep(ProbeStep.Kind.BUILTIN, m.name, null, null, "", isRequired));
            }
        }
        return false;
    }

    /**
     * __kmod_module_get_probe_list: each dependency with its softdeps (dependencies in reverse line order), then
     * the module with its softdeps, or alone and marked to ignore its install command ({@code ignoreCommands}).
     */
    private void probeList(Mod mod, List<Mod> list, boolean ignoreCommands) {
        if (mod.visitedIn == generation) {
            return;
        }
        mod.visitedIn = generation;
        for (Mod dep : dependencies(mod)) {
            fillSoftdep(dep, list);
        }
        if (ignoreCommands) {
            list.add(mod);
            mod.ignoreCommand = true;
        } else {
            fillSoftdep(mod, list);
        }
    }

    /** Only the first softdep whose pattern matches counts; its modules are found with a full lookup. */
    private void fillSoftdep(Mod mod, List<Mod> list) {
        List<Mod> pre = new ArrayList<>();
        List<Mod> post = new ArrayList<>();
        if (mod.softdep == Mod.UNKNOWN) {
            mod.softdep = Mod.NONE;
            for (int i = 0; i < softdepPatterns.length; i++) {
                if (Fnmatch.matches(softdepPatterns[i], mod.nameBytes)) {
                    mod.softdep = i;
                    break;
                }
            }
        }
        if (mod.softdep != Mod.NONE) {
            ModprobeConfig.Softdep softdep = config.softdeps().get(mod.softdep);
            lookupSoftdeps(softdep.pre(), pre);
            lookupSoftdeps(softdep.post(), post);
        }
        for (Mod m : pre) {
            probeList(m, list, false);
        }
        list.add(mod);
        mod.ignoreCommand = !pre.isEmpty() || !post.isEmpty();
        for (Mod m : post) {
            probeList(m, list, false);
        }
    }

    private void lookupSoftdeps(List<String> names, List<Mod> out) {
        for (String name : names) {
            List<Mod> found = lookup(name);
            if (found == null) {
                errors.accept(KmodProblem.of(KmodProblem.Kind.SOFTDEP_NOT_FOUND, name));
            } else {
                out.addAll(found);
            }
        }
    }

    /** The modules.dep line's dependencies, reversed: libkmod prepends each one as it parses the line. */
    private List<Mod> dependencies(Mod mod) {
        if (mod.dependencies == null) {
            int at = moduleIndex(mod);
            int[] deps = at < 0 ? new int[0] : index.moduleDeps(at);
            List<Mod> list = new ArrayList<>(deps.length);
            for (int i = deps.length - 1; i >= 0; i--) {
                list.add(module(index.moduleName(deps[i]), null));
            }
            mod.dependencies = list;
        }
        return mod.dependencies;
    }

    String path(Mod mod) {
        int at = moduleIndex(mod);
        if (at < 0) {
            return null;
        }
        if (mod.path == null) {
            String relative = index.modulePath(at);
            mod.path = relative.startsWith("/") ? relative : moduleDir + "/" + relative;
        }
        return mod.path;
    }

    int moduleIndex(Mod mod) {
        if (mod.moduleIndex == Mod.UNKNOWN) {
            mod.moduleIndex = index.findModule(mod.name);
        }
        return mod.moduleIndex;
    }

    boolean isBuiltin(Mod mod) {
        return mod.builtin || index.isBuiltin(mod.name);
    }

    private String install(Mod mod) {
        if (!mod.installKnown) {
            for (int i = 0; i < installPatterns.length; i++) {
                if (Fnmatch.matches(installPatterns[i], mod.nameBytes)) {
                    mod.install = config.installCommands().get(i).command();
                    break;
                }
            }
            mod.installKnown = true;
        }
        return mod.install;
    }

    /** Config options for the module's name or the alias it was found by, in config order. */
    private String options(Mod mod) {
        if (!mod.optionsKnown) {
            mod.options = configOptions(mod);
            mod.optionsKnown = true;
        }
        return mod.options;
    }

    private String configOptions(Mod mod) {
        StringBuilder out = null;
        for (ModprobeConfig.Options option : config.options()) {
            boolean applies = option.module().equals(mod.name)
                    || (mod.alias != null && option.module().equals(mod.alias));
            if (!applies || option.options().isEmpty()) {
                continue;
            }
            if (out == null) {
                out = new StringBuilder(option.options());
            } else {
                out.append(' ').append(option.options());
            }
        }
        return out == null ? null : out.toString();
    }

    /** module_options_concat: "OPT XOPT"; a module's own options keep a trailing space when there is no XOPT. */
    private static String concat(String options, String extra) {
        if ((options == null || options.isEmpty()) && (extra == null || extra.isEmpty())) {
            return "";
        }
        return (options == null ? "" : options + " ") + (extra == null ? "" : extra);
    }

    Mod module(String name, String alias) {
        String key = alias == null ? name : name + "\\" + alias;
        return pool.computeIfAbsent(key, k -> new Mod(name, alias));
    }

    /** A libkmod module object: pooled by name, or by name and alias when found through an alias. */
    static final class Mod {
        static final int UNKNOWN = -2;
        static final int NONE = -1;
        final String name;
        final byte[] nameBytes;
        final String alias;
        boolean builtin;
        int visitedIn;
        boolean ignoreCommand;
        boolean installKnown;
        String install;
        /** Caches of what depends only on the name and the configuration, as libkmod caches them. */
        int moduleIndex = UNKNOWN;
        int softdep = UNKNOWN;
        String path;
        List<Mod> dependencies;
        boolean optionsKnown;
        String options;

        Mod(String name, String alias) {
            this.name = name;
            this.nameBytes = utf8(name);
            this.alias = alias;
        }
    }
}
