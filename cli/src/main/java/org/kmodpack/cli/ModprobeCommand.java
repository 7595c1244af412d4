package org.kmodpack.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import org.kmodpack.loader.Kernel;
import org.kmodpack.loader.Loader;
import org.kmodpack.format.ModuleContent;
import org.kmodpack.modules.KmodProblem;
import org.kmodpack.modules.ModprobeConfig;
import org.kmodpack.modules.Modprobe;
import org.kmodpack.modules.ModuleIndex;
import org.kmodpack.modules.ProbeStep;
import org.kmodpack.reader.Bundle;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "modprobe", mixinStandardHelpOptions = true,
        description = {"Load or remove modules of the bundle as kmod's modprobe does on the unpacked tree.",
            "Loads dependencies, softdeps, options and install commands into the running kernel, or removes "
                + "them (-r); -D prints the load order (modprobe -d ROOT -S KVER -D), -R the modules an alias "
                + "resolves to, -c the configuration and the alias indexes. Loading and removing need a bundle "
                + "signed by a trusted key (--trust) or --allow-unsigned."},
        footer = {"", "Examples:", "  kmodpack modprobe modules.kpack btrfs", "  kmodpack modprobe -r modules.kpack btrfs",
            "  kmodpack modprobe modules.kpack -n -v btrfs", "  kmodpack modprobe modules.kpack -D btrfs",
            "  kmodpack modprobe modules.kpack -c",
            "  kmodpack modprobe modules.kpack -R pci:v00008086d000010D3sv00008086sd0000A01Fbc02sc00i00"})
final class ModprobeCommand extends Subcommand {
    @Mixin
    SystemBundleArgument bundleArgument;

    @Parameters(index = "1..*", paramLabel = "NAME", arity = "0..*",
            description = "Module names or aliases; without -a, the words after the first are module options.")
    List<String> names = List.of();

    @Option(names = {"-D", "--show-depends"}, description = "Print the insmod/builtin/install lines, in order.")
    boolean showDepends;

    @Option(names = {"-R", "--resolve-alias"}, description = "Print the module names each NAME resolves to.")
    boolean resolveAlias;

    @Option(names = {"-a", "--all"}, description = "Every NAME is a module (no module options).")
    boolean all;

    @Option(names = {"-b", "--use-blacklist"}, description = "Apply blacklist lines to the named modules too.")
    boolean useBlacklist;

    @Option(names = {"-d", "--dirname"}, paramLabel = "ROOT",
            description = "Print paths under ROOT/lib/modules/KVER (default: /lib/modules/KVER).")
    String root;

    @Option(names = {"-r", "--remove"}, description = "Remove the NAMEs and the dependencies no longer used.")
    boolean remove;

    @Option(names = {"-n", "--dry-run"}, description = "Do everything but load or remove modules.")
    boolean dryRun;

    @Option(names = {"-v", "--verbose"}, description = "Print the insmod, install and rmmod lines as kmod -v does.")
    boolean verbose;

    @Option(names = "--show-exports",
            description = "Print the symbols the module file NAME (a path in the bundle, or under /lib/modules/KVER) "
                    + "exports, with their CRCs.")
    boolean showExports;

    @Option(names = {"--show-modversions", "--dump-modversions"},
            description = "Print the symbol versions the module file NAME (as for --show-exports) was built "
                    + "against, with their CRCs.")
    boolean showModversions;

    @Option(names = {"-c", "--showconfig", "--show-config"},
            description = "Print the configuration (modprobe.d, the bundle's modules.softdep, the kernel command "
                    + "line) and the bundle's alias and symbol indexes.")
    boolean showConfig;

    @Option(names = {"-i", "--ignore-install", "--ignore-remove"},
            description = "Ignore the install command and softdeps of the named module, and remove commands.")
    boolean ignoreCommands;

    @Option(names = {"--remove-holders", "--remove-dependencies"},
            description = "With -r: first remove the modules that use each NAME (/sys/module/NAME/holders).")
    boolean removeHolders;

    @Option(names = {"-w", "--wait"}, paramLabel = "MSEC",
            description = "With -r: try a module in use again until it is free, for up to MSEC milliseconds.")
    long waitMillis;

    @Option(names = "--first-time", description = "Fail if a module is already loaded (with -r: already removed).")
    boolean firstTime;

    @Option(names = {"-f", "--force"}, description = "Load even if the module's version magic or symbol versions "
            + "do not match the kernel (both --force-vermagic and --force-modversion).")
    boolean force;

    @Option(names = "--force-vermagic", description = "Load even if the module's version magic does not match.")
    boolean forceVermagic;

    @Option(names = "--force-modversion", description = "Load even if the module's symbol versions do not match.")
    boolean forceModversion;

    @Option(names = {"-q", "--quiet"}, description = "Print none of kmod's messages (errors included), as kmod -q.")
    boolean quiet;

    @Option(names = {"-S", "--set-version"}, paramLabel = "KVER",
            description = "The kernel version to look in: the bundle's own (a bundle holds one kernel).")
    String kernelVersion;

    @Option(names = {"-C", "--config"}, paramLabel = "FILE|DIR",
            description = "Read this configuration instead of /etc/modprobe.d, /run/modprobe.d, "
                    + "/usr/local/lib/modprobe.d and /lib/modprobe.d (repeatable).")
    List<Path> config;

    @Override
    public Integer call() throws Exception {
        int modes = (showDepends ? 1 : 0) + (resolveAlias ? 1 : 0) + (remove ? 1 : 0) + (showExports ? 1 : 0)
                + (showModversions ? 1 : 0) + (showConfig ? 1 : 0);
        if (modes > 1) {
            throw usageError("give at most one of -D/--show-depends, -R/--resolve-alias, --show-exports, "
                    + "--show-modversions, -c/--showconfig and -r/--remove");
        }
        if ((removeHolders || waitMillis != 0) && !remove) {
            throw usageError("--remove-holders and -w/--wait apply to removing: give -r too");
        }
        if (waitMillis < 0) {
            throw usageError("-w/--wait takes milliseconds, not " + waitMillis);
        }
        if (showConfig) {
            // kmod's modprobe -c prints the configuration whatever NAMEs follow.
            return showConfig();
        }
        if (names.isEmpty()) {
            throw usageError("missing 'NAME'");
        }
        if (showExports || showModversions) {
            return showSymbols();
        }
        if (remove && forceFlags() != 0) {
            throw usageError("-f with -r (removing a module in use) is not "
                    + "offered: stop what uses the module, then modprobe -r it");
        }
        if (modes == 0 || remove) {
            return load();
        }
        PrintWriter out = out();
        PrintWriter err = kmodMessages();
        try (LayerOptions.Opened opened = bundleArgument.openForInspection(err)) {
            ModuleIndex index = index(opened);
            String moduleDir = index.moduleDirectory(root);
            Consumer<KmodProblem> problems = p -> err.println(KmodProblems.message(p));
            Modprobe modprobe = index.modprobe(index.loadConfig(config, moduleDir, problems), moduleDir, problems);
            List<String> targets = all ? names : names.subList(0, 1);
            String extraOptions = all ? null : options(names.subList(1, names.size()));
            boolean failed = false;
            for (String name : targets) {
                boolean found;
                if (resolveAlias) {
                    List<String> resolved = modprobe.resolve(name);
                    resolved.forEach(out::println);
                    found = !resolved.isEmpty();
                } else {
                    Optional<List<ProbeStep>> steps = modprobe.showDepends(name, extraOptions, useBlacklist,
                            ignoreCommands);
                    steps.ifPresent(list -> list.forEach(step -> out.println(ShowDepends.line(step))));
                    found = steps.isPresent();
                }
                if (!found) {
                    out.flush();
                    err.println("modprobe: " + (all ? "WARNING" : "FATAL") + ": Module " + name
                            + " not found in directory " + moduleDir);
                    failed = true;
                }
            }
            out.flush();
            err.flush();
            return failed ? 1 : 0;
        }
    }

    /**
     * kmod's show_exports (--show-exports) and show_modversions (--show-modversions) for a module file:
     * "0x%08x\tSYMBOL" lines, its words for a missing or broken file.
     */
    private int showSymbols() throws java.io.IOException {
        PrintWriter out = out();
        PrintWriter err = kmodMessages();
        String file = names.get(0);
        try (Bundle bundle = bundleArgument.trust.signatures.open(bundleArgument.location)) {
            ModuleIndex index = index(bundle);
            String moduleDir = index.moduleDirectory(root);
            String path = file.startsWith(moduleDir + "/") ? file.substring(moduleDir.length() + 1)
                    : BundlePaths.relative(bundle, bundleArgument.location, file);
            if (bundle.find(path).filter(org.kmodpack.reader.Entry::isFile).isEmpty()) {
                err.println("modprobe: FATAL: Module " + file + " not found.");
                err.flush();
                return 1;
            }
            ModuleIndex.SymbolVersions symbols = showExports ? index.exports(path) : index.modversions(path);
            // libkmod answers ENOENT for a module that exports nothing.
            int errno = symbols.errno() != 0 ? symbols.errno()
                    : showExports && symbols.symbols().isEmpty() ? org.kmodpack.modules.Errno.ENOENT : 0;
            if (errno != 0) {
                err.println("modprobe: FATAL: could not get " + (showExports ? "symbols" : "modversions") + " of "
                        + file + ": " + Strerror.of(errno));
                err.flush();
                return 1;
            }
            for (ModuleIndex.SymbolVersion symbol : symbols.symbols()) {
                out.printf(java.util.Locale.ROOT, "0x%08x\t%s%n", symbol.crc(), symbol.symbol());
            }
            out.flush();
            return 0;
        }
    }

    /** kmod's show_config: each configuration line kmod keeps, then the alias and symbol indexes dumped. */
    private int showConfig() throws java.io.IOException {
        PrintWriter out = out();
        PrintWriter err = kmodMessages();
        try (LayerOptions.Opened opened = bundleArgument.openForInspection(err)) {
            ModuleIndex index = index(opened.bundle());
            String moduleDir = index.moduleDirectory(root);
            ModprobeConfig loaded = index.loadConfig(config, moduleDir, p -> err.println(KmodProblems.message(p)));
            loaded.blacklist().forEach(name -> out.println("blacklist " + name));
            loaded.installCommands().forEach(c -> out.println("install " + c.module() + " " + c.command()));
            loaded.removeCommands().forEach(c -> out.println("remove " + c.module() + " " + c.command()));
            loaded.aliases().forEach(a -> out.println("alias " + a.pattern() + " " + a.module()));
            loaded.options().forEach(o -> out.println("options " + o.module() + " " + o.options()));
            // kmod writes "pre:" and "post:" each followed by " NAME"s, with nothing between the two lists.
            loaded.softdeps().forEach(d -> out.println("softdep " + d.pattern() + " "
                    + (d.pre().isEmpty() ? "" : "pre:" + spaced(d.pre()))
                    + (d.post().isEmpty() ? "" : "post:" + spaced(d.post()))));
            out.println();
            out.println("# End of configuration files. Dumping indexes now:");
            out.println();
            for (String file : List.of("modules.alias.bin", "modules.symbols.bin")) {
                for (ModuleContent.Key key : index.indexKeys(file)) {
                    key.values().forEach(value -> out.println("alias " + key.key() + " " + value.name()));
                }
            }
            out.flush();
            err.flush();
            return 0;
        }
    }

    private static String spaced(List<String> words) {
        StringBuilder text = new StringBuilder();
        words.forEach(word -> text.append(' ').append(word));
        return text.toString();
    }

    /** Loads (or with -r removes) in the running kernel; kmod's messages and exit status. */
    private int load() throws java.io.IOException {
        PrintWriter out = out();
        PrintWriter err = kmodMessages();
        try (LayerOptions.Opened opened = bundleArgument.openForSystem(err)) {
            ModuleIndex index = index(opened);
            String moduleDir = index.moduleDirectory(root);
            Consumer<KmodProblem> problems = p -> err.println(KmodProblems.message(p));
            Modprobe modprobe = index.modprobe(index.loadConfig(config, moduleDir, problems), moduleDir, problems);
            Loader loader = new Loader(index, modprobe, Kernel.running(),
                    new Loader.Options(dryRun, useBlacklist, firstTime, forceFlags(), ignoreCommands, removeHolders,
                            waitMillis),
                    new LoaderMessages(out, err, verbose, all, moduleDir, opened.name()));
            int result;
            if (remove) {
                result = loader.remove(names);
            } else if (all) {
                result = 0;
                for (String name : names) {
                    int r = loader.modprobe(name, null);
                    result = r < 0 ? r : result;
                }
            } else {
                result = loader.modprobe(names.get(0), options(names.subList(1, names.size())));
            }
            out.flush();
            err.flush();
            return Loader.exitStatus(result);
        }
    }

    /** The module index of the base merged with its layers, once -S has been checked against their kernel. */
    private ModuleIndex index(LayerOptions.Opened opened) throws java.io.IOException {
        KernelVersions.check(opened.base(), bundleArgument.location, kernelVersion, "-S");
        return opened.index();
    }

    /** The bundle's module index, once -S has been checked against the bundle's kernel. */
    private ModuleIndex index(Bundle bundle) throws java.io.IOException {
        KernelVersions.check(bundle, bundleArgument.location, kernelVersion, "-S");
        return ModuleIndex.of(bundle);
    }

    /** The finit_module flags -f and --force-* ask for. */
    private int forceFlags() {
        return (force || forceVermagic ? Kernel.MODULE_INIT_IGNORE_VERMAGIC : 0)
                | (force || forceModversion ? Kernel.MODULE_INIT_IGNORE_MODVERSIONS : 0);
    }

    /** Where kmod's messages go: stderr, or nowhere with -q (kmodpack's own failures still print). */
    private PrintWriter kmodMessages() {
        return quiet ? new PrintWriter(java.io.Writer.nullWriter()) : err();
    }

    /** modprobe's options_from_array: words joined by spaces, a value holding a space quoted. */
    static String options(List<String> words) {
        if (words.isEmpty()) {
            return null;
        }
        List<String> quoted = new ArrayList<>(words.size());
        for (String word : words) {
            int eq = word.indexOf('=');
            String value = eq < 0 ? null : word.substring(eq + 1);
            if (value != null && !value.startsWith("\"") && !value.startsWith("'") && value.contains(" ")) {
                quoted.add(word.substring(0, eq + 1) + "\"" + value + "\"");
            } else {
                quoted.add(word);
            }
        }
        return String.join(" ", quoted);
    }
}
