package org.kmodpack.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.function.Consumer;
import org.kmodpack.loader.Kernel;
import org.kmodpack.loader.Loader;
import org.kmodpack.modules.KmodProblem;
import org.kmodpack.modules.Modprobe;
import org.kmodpack.modules.ModuleIndex;
import org.kmodpack.modules.ProbeStep;
import org.kmodpack.reader.Bundle;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "modprobe", mixinStandardHelpOptions = true,
        description = {"Load modules from the bundle into the running kernel as kmod's modprobe loads",
            "them from the unpacked tree (dependencies, softdeps, options, install commands),",
            "or remove them (-r); -D prints the load order (modprobe -d ROOT -S KVER -D),",
            "-R the modules an alias resolves to. Loading and removing need a bundle signed",
            "by a trusted key (--trust) or --allow-unsigned."},
        footer = {"", "Examples:", "  kmodpack modprobe modules.kpack btrfs", "  kmodpack modprobe -r modules.kpack btrfs",
            "  kmodpack modprobe modules.kpack -n -v btrfs", "  kmodpack modprobe modules.kpack -D btrfs",
            "  kmodpack modprobe modules.kpack -R pci:v00008086d000010D3sv00008086sd0000A01Fbc02sc00i00"})
final class ModprobeCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "BUNDLE")
    String bundleLocation;

    @Parameters(index = "1..*", paramLabel = "NAME", arity = "1..*",
            description = "Module names or aliases; without -a, the words after the first are module options.")
    List<String> names;

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

    @picocli.CommandLine.Mixin
    SystemTrustOptions trust;

    @picocli.CommandLine.Mixin
    LayerOptions layers;

    @Option(names = {"-C", "--config"}, paramLabel = "FILE|DIR",
            description = "Read this configuration instead of /etc/modprobe.d, /run/modprobe.d, "
                    + "/usr/local/lib/modprobe.d and /lib/modprobe.d (repeatable).")
    List<Path> config;

    @Override
    public Integer call() throws Exception {
        int modes = (showDepends ? 1 : 0) + (resolveAlias ? 1 : 0) + (remove ? 1 : 0);
        if (modes > 1) {
            throw new ParameterException(spec.commandLine(), "give at most one of -D/--show-depends, "
                    + "-R/--resolve-alias and -r/--remove");
        }
        if (modes == 0 || remove) {
            return load();
        }
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        try (LayerOptions.Opened opened = layers.open(bundleLocation, trust.signatures::open)) {
            ModuleIndex index = ModuleIndex.of(opened.bundle());
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
                    Optional<List<ProbeStep>> steps = modprobe.showDepends(name, extraOptions, useBlacklist);
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

    /** Loads (or with -r removes) in the running kernel; kmod's messages and exit status. */
    private int load() throws java.io.IOException {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        try (LayerOptions.Opened opened = layers.open(bundleLocation,
                (location, keys) -> trust.open(location, Bundle.DEFAULT_CACHE_BYTES, keys))) {
            Bundle bundle = opened.bundle();
            ModuleIndex index = ModuleIndex.of(bundle);
            String moduleDir = index.moduleDirectory(root);
            Consumer<KmodProblem> problems = p -> err.println(KmodProblems.message(p));
            Modprobe modprobe = index.modprobe(index.loadConfig(config, moduleDir, problems), moduleDir, problems);
            Loader loader = new Loader(index, modprobe, Kernel.running(),
                    new Loader.Options(dryRun, useBlacklist),
                    new LoaderMessages(out, err, verbose, all, moduleDir, bundle.toString()));
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
