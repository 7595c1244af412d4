package org.kmodpack.cli;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import org.kmodpack.modules.Depmod;
import org.kmodpack.modules.DepmodConfig;
import org.kmodpack.modules.DepmodCycleException;
import org.kmodpack.modules.DepmodOptions;
import org.kmodpack.modules.DirectoryModuleTree;
import org.kmodpack.modules.KernelSymbols;
import org.kmodpack.modules.KmodProblem;
import org.kmodpack.modules.ModuleNames;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "depmod", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = {"Index a module tree as kmod 30's depmod does, byte for byte, without kmod.",
            "Writes modules.dep, .alias, .symbols, .builtin, .softdep, .devname and their .bin into "
                + "ROOT/lib/modules/KVER. depmod.d's search, override, exclude and external lines apply. "
                + ".ko.gz modules are left out, as Debian's depmod (built without zlib) leaves them out."},
        footer = {"", "Examples:", "  kmodpack depmod -b /tmp/root 6.1.0-27-amd64",
            "  kmodpack depmod -n -e -F /boot/System.map-6.1.0-27-amd64 6.1.0-27-amd64"})
final class DepmodCommand extends Subcommand {
    /** What depmod finds only while it makes the .bin files, which -n does not make. */
    private static final Set<KmodProblem.Kind> BIN_ONLY = EnumSet.of(KmodProblem.Kind.ALIAS_UNMATCHED_BRACKET,
            KmodProblem.Kind.ALIAS_DUPLICATE, KmodProblem.Kind.BUILTIN_LINE_INVALID,
            KmodProblem.Kind.INDEX_INPUT_MISSING);
    private static final Pattern VERSION = Pattern.compile("\\s*[+-]?[0-9]+\\.\\s*[+-]?[0-9]+.*", Pattern.DOTALL);

    @Parameters(index = "0", arity = "0..1", paramLabel = "KVER",
            description = "The kernel version (default: the running kernel's, uname -r).")
    String kernelVersion;

    @Option(names = {"-b", "--basedir"}, paramLabel = "ROOT",
            description = "Use ROOT/lib/modules/KVER instead of /lib/modules/KVER.")
    String root;

    @Option(names = {"-C", "--config"}, paramLabel = "PATH",
            description = "A depmod.d file or folder to read instead of /etc/depmod.d, /run/depmod.d, "
                    + "/usr/local/lib/depmod.d and /lib/depmod.d (repeatable). Not under ROOT, as in kmod.")
    List<Path> config;

    @Option(names = {"-F", "--filesyms"}, paramLabel = "System.map",
            description = "The kernel's System.map, for -e.")
    Path systemMap;

    @Option(names = {"-E", "--symvers"}, paramLabel = "Module.symvers",
            description = "The kernel's Module.symvers, for -e; symbol versions are compared too.")
    Path symvers;

    @Option(names = {"-e", "--errsyms"},
            description = "Report symbols that no module and not the kernel (-F or -E) exports.")
    boolean reportUnknown;

    @Option(names = {"-n", "--show", "--dry-run"}, description = "Print the text index files to stdout, write nothing.")
    boolean dryRun;

    @Option(names = {"-a", "--all"}, description = "Index every module of the tree (the default).")
    boolean all;

    @Option(names = {"-A", "--quick"}, description = "Do nothing when no module file is newer than modules.dep "
            + "(whole seconds, links followed, build and source skipped); with -n, do nothing at all.")
    boolean quick;

    @Option(names = {"-w", "--warn"}, description = "Warn about an alias a module gives twice.")
    boolean warnDuplicates;

    @Option(names = {"-v", "--verbose"}, description = "Print each dependency as it is found, on stdout.")
    boolean[] verbose;

    @Option(names = {"-P", "--symbol-prefix"}, paramLabel = "CHAR",
            description = "The architecture's symbol prefix, taken off symbol names.")
    String symbolPrefix;

    @Option(names = {"-u", "--unresolved-error", "-q", "--quiet", "-r", "--root", "-m", "--map"}, hidden = true,
            description = "Options of depmod before kmod, accepted and ignored with a warning, as kmod does.")
    boolean[] deprecated;

    /** The deprecated options as given, each warned about as kmod's getopt meets it. */
    private final List<String> deprecatedGiven = new ArrayList<>();

    @Parameters(index = "1..*", paramLabel = "MODULE", description = "Index only these module files (absolute "
            + "paths), as kmod does: no depmod.d rules, and no effect with -a or -A.")
    List<String> modules;

    @Override
    public Integer call() throws IOException {
        PrintWriter err = err();
        try {
            return run(err);
        } finally {
            err.flush();
        }
    }

    /**
     * The arguments parsed without picocli, as kmod's depmod (getopt) parses them: building picocli's model of
     * this command cost a third of the CPU time of a run on Debian's generic tree. Empty for what this parser
     * leaves to picocli, which then parses the arguments and says what is wrong or prints help: --help,
     * --version, anything it does not know, an option given twice that takes one value, a value that looks like
     * an option. Both parsers give the same command (DepmodCommandTest).
     */
    static Optional<DepmodCommand> parseDirectly(List<String> arguments) {
        DepmodCommand command = new DepmodCommand();
        Set<Character> given = new HashSet<>();
        boolean optionsEnded = false;
        for (int i = 0; i < arguments.size(); i++) {
            String argument = arguments.get(i);
            if (optionsEnded || !argument.startsWith("-")) {
                if (command.kernelVersion == null) {
                    command.kernelVersion = argument;
                } else {
                    if (command.modules == null) {
                        command.modules = new ArrayList<>();
                    }
                    command.modules.add(argument);
                }
            } else if (argument.equals("--")) {
                optionsEnded = true;
            } else if (argument.equals("-")) {
                return Optional.empty();
            } else if (argument.startsWith("--")) {
                int equals = argument.indexOf('=');
                String name = equals < 0 ? argument : argument.substring(0, equals);
                char option = switch (name) {
                    case "--basedir" -> 'b';
                    case "--config" -> 'C';
                    case "--filesyms" -> 'F';
                    case "--symvers" -> 'E';
                    case "--errsyms" -> 'e';
                    case "--show", "--dry-run" -> 'n';
                    case "--all" -> 'a';
                    case "--quick" -> 'A';
                    case "--symbol-prefix" -> 'P';
                    case "--warn" -> 'w';
                    case "--verbose" -> 'v';
                    case "--unresolved-error" -> 'u';
                    case "--quiet" -> 'q';
                    case "--root" -> 'r';
                    case "--map" -> 'm';
                    default -> '?';
                };
                String value = equals < 0 ? null : argument.substring(equals + 1);
                if (takesValue(option) && value == null) {
                    if (i + 1 == arguments.size() || arguments.get(i + 1).startsWith("-")) {
                        return Optional.empty();
                    }
                    value = arguments.get(++i);
                }
                if (!command.set(option, value, given)) {
                    return Optional.empty();
                }
                if (isDeprecated(option)) {
                    command.deprecatedGiven.add(name);
                }
            } else {
                for (int j = 1; j < argument.length(); j++) {
                    char option = argument.charAt(j);
                    String value = null;
                    if (takesValue(option)) {
                        if (j + 1 < argument.length()) {
                            value = argument.substring(j + 1);
                        } else if (i + 1 < arguments.size() && !arguments.get(i + 1).startsWith("-")) {
                            value = arguments.get(++i);
                        } else {
                            return Optional.empty();
                        }
                        j = argument.length();
                    }
                    if (!command.set(option, value, given)) {
                        return Optional.empty();
                    }
                    if (isDeprecated(option)) {
                        command.deprecatedGiven.add("-" + option);
                    }
                }
            }
        }
        return Optional.of(command);
    }

    private static boolean isDeprecated(char option) {
        return option == 'u' || option == 'q' || option == 'r' || option == 'm';
    }

    private static boolean takesValue(char option) {
        return option == 'b' || option == 'C' || option == 'F' || option == 'E' || option == 'P';
    }

    /**
     * Sets one option; false when picocli should judge it: unknown, given twice (-C and -v aside, which add a
     * folder and a level), a flag with a value, a path it would refuse.
     */
    private boolean set(char option, String value, Set<Character> given) {
        if (takesValue(option) == (value == null) || (value != null && value.startsWith("="))
                || (option != 'C' && option != 'v' && !isDeprecated(option) && !given.add(option))) {
            return false;
        }
        if (isDeprecated(option)) {
            return true;
        }
        if (option == 'P') {
            symbolPrefix = value;
            return true;
        }
        if (option == 'b') {
            root = value;
            return true;
        }
        Path path;
        try {
            path = value == null ? null : LocalPaths.of(value);
        } catch (IllegalArgumentException invalid) {
            return false;
        }
        switch (option) {
            case 'C' -> {
                if (config == null) {
                    config = new ArrayList<>();
                }
                config.add(path);
            }
            case 'F' -> systemMap = path;
            case 'E' -> symvers = path;
            case 'e' -> reportUnknown = true;
            case 'n' -> dryRun = true;
            case 'a' -> all = true;
            case 'A' -> quick = true;
            case 'w' -> warnDuplicates = true;
            case 'v' -> {
                verbose = new boolean[verbose == null ? 1 : verbose.length + 1];
                Arrays.fill(verbose, true);
            }
            default -> {
                return false;
            }
        }
        return true;
    }

    int run(PrintWriter err) throws IOException {
        for (String option : deprecatedGiven) {
            err.println("depmod: WARNING: Ignored deprecated option " + option);
        }
        String kver = kernelVersion != null ? kernelVersion : System.getProperty("os.version");
        if (!VERSION.matcher(kver).matches()) {
            err.println("depmod: ERROR: Bad version passed " + kver);
            return 1;
        }
        if (symbolPrefix != null && symbolPrefix.length() != 1) {
            err.println(DepmodMessages.FATAL + "-P only takes a single char");
            return 1;
        }
        // kmod names the tree as -b gave it, made absolute but not cleaned: "-b dir/" reads dir//lib/modules.
        String moduleDirName = (root == null ? "" : root.startsWith("/") ? root
                : System.getProperty("user.dir") + "/" + root) + "/lib/modules/" + kver;
        Path moduleDir = Path.of(moduleDirName);
        // With -n the .bin files are not made, nor is what making them finds said.
        Consumer<KmodProblem> problems = problem -> {
            if (!dryRun || !BIN_ONLY.contains(problem.kind()) || (problem.kind() == KmodProblem.Kind.INDEX_INPUT_MISSING
                    && problem.subject().equals("modules.order"))) {
                err.println(DepmodMessages.message(problem, moduleDirName));
            }
        };
        if (quick && (dryRun || upToDate(moduleDir, moduleDirName, err))) {
            return 0;
        }
        boolean named = !all && !quick && modules != null;

        char prefix = symbolPrefix == null ? DepmodOptions.NO_SYMBOL_PREFIX : symbolPrefix.charAt(0);
        Optional<KernelSymbols> kernel = Optional.empty();
        Path symbolFile = symvers != null ? symvers : systemMap;
        if (symbolFile != null) {
            byte[] contents;
            try {
                contents = Files.readAllBytes(symbolFile);
            } catch (IOException unreadable) {
                err.println(DepmodMessages.FATAL + "could not load " + symbolFile + ": " + reason(unreadable));
                return 1;
            }
            kernel = Optional.of(symvers != null
                    ? KernelSymbols.fromSymvers(symbolFile.toString(), contents, prefix, problems)
                    : KernelSymbols.fromSystemMap(symbolFile.toString(), contents, prefix, problems));
        } else if (reportUnknown) {
            err.println("depmod: WARNING: -e needs -E or -F");
        }
        DepmodConfig depmodConfig = named ? DepmodConfig.defaults(kver) : DepmodConfig.load(config, kver, problems);
        List<String> namedPaths = named ? namedModules(moduleDirName, err) : null;
        if (named && namedPaths == null) {
            return 1;
        }
        DirectoryModuleTree tree = named ? DirectoryModuleTree.named(moduleDir, namedPaths)
                : scan(moduleDir, moduleDirName, depmodConfig, err);
        if (tree == null) {
            return 1;
        }
        OutputStream out = System.out;
        Consumer<DepmodOptions.Dependency> shown = verbose == null ? dependency -> {
        } : dependency -> show(out, DepmodMessages.fullPath(moduleDirName, dependency.module()) + " needs \""
                + dependency.symbol() + "\": " + DepmodMessages.fullPath(moduleDirName, dependency.owner()) + "\n");
        DepmodOptions options = new DepmodOptions(depmodConfig, kernel, reportUnknown && kernel.isPresent(), prefix,
                warnDuplicates, shown);
        Map<String, byte[]> files;
        try {
            files = named ? Depmod.run(tree, namedPaths, options, problems) : Depmod.run(tree, options, problems);
        } catch (DepmodCycleException cycle) {
            for (String each : cycle.cycles()) {
                err.println("depmod: ERROR: Cycle detected: " + each);
            }
            err.println("depmod: ERROR: Found " + cycle.modules() + " modules in dependency cycles!");
            return 1;
        }
        if (dryRun) {
            err.flush();
            for (String name : Depmod.TEXT_FILES) {
                out.write(files.get(name));
            }
            out.flush();
            return 0;
        }
        write(moduleDir, files);
        return 0;
    }

    /**
     * The module directory and the depmod.d external directories (absolute ones: a relative one would be read from
     * the working directory), as depmod searches them; null, after kmod's words, without a module directory.
     */
    private static DirectoryModuleTree scan(Path moduleDir, String moduleDirName, DepmodConfig config,
            PrintWriter err) {
        DirectoryModuleTree tree;
        try {
            tree = DirectoryModuleTree.scan(moduleDir, config::excludes);
        } catch (IOException unreadable) {
            err.println("depmod: ERROR: could not open directory " + moduleDirName + ": " + reason(unreadable));
            err.println(DepmodMessages.FATAL + "could not search modules: " + reason(unreadable));
            return null;
        }
        for (String external : config.externals()) {
            if (!external.startsWith("/")) {
                continue;
            }
            try {
                tree = tree.withExternal(external, config::excludes);
            } catch (IOException unreadable) {
                err.println("depmod: ERROR: could not open directory " + external + ": " + reason(unreadable));
            }
        }
        return tree;
    }

    /**
     * The module files named on the command line as the tree lists them (relative under the module directory,
     * else absolute), checked as kmod checks them; null, after kmod's words, when kmod refuses one.
     */
    private List<String> namedModules(String moduleDirName, PrintWriter err) {
        Map<String, String> byName = new HashMap<>();
        List<String> paths = new ArrayList<>();
        for (String path : modules) {
            if (!path.startsWith("/")) {
                err.println(DepmodMessages.FATAL + path + ": not absolute path.");
                return null;
            }
            try {
                Files.readAttributes(Path.of(path), BasicFileAttributes.class);
            } catch (IOException unreadable) {
                err.println(DepmodMessages.FATAL + "could not create module " + path + ": " + reason(unreadable));
                return null;
            }
            String name = ModuleNames.fromPath(path);
            String earlier = byName.putIfAbsent(name, path);
            if (earlier != null && !earlier.equals(path)) {
                err.println("depmod: ERROR: ../libkmod/libkmod-module.c:428 kmod_module_new_from_path() kmod_module '"
                        + name + "' already exists with different path: new-path='" + path + "' old-path='" + earlier
                        + "'");
                err.println(DepmodMessages.FATAL + "could not create module " + path + ": File exists");
                return null;
            }
            if (earlier != null) {
                err.println("depmod: ERROR: hash_add_unique " + name + ": File exists");
                err.println(DepmodMessages.FATAL + "could not add module " + path + ": File exists");
                return null;
            }
            paths.add(path.startsWith(moduleDirName + "/") ? path.substring(moduleDirName.length() + 1) : path);
        }
        return paths;
    }

    private static void show(OutputStream out, String line) {
        try {
            out.write(line.getBytes(StandardCharsets.UTF_8));
            out.flush();
        } catch (IOException closed) {
            // depmod's stdout going away does not stop it
        }
    }

    /**
     * depmod -A's test: no module file (.ko, .ko.xz, .ko.zst; links followed) under the module directory, build
     * and source passed over, has a modification second after modules.dep's. What cannot be read is said, in
     * kmod's words, and then does not count: without modules.dep the tree is indexed.
     */
    private static boolean upToDate(Path moduleDir, String moduleDirName, PrintWriter err) {
        if (!Files.isDirectory(moduleDir)) {
            err.println("depmod: ERROR: could not open directory " + moduleDirName + ": "
                    + reason(new NoSuchFileException(moduleDirName)));
            return false;
        }
        long indexSecond;
        try {
            indexSecond = Files.getLastModifiedTime(moduleDir.resolve("modules.dep")).to(TimeUnit.SECONDS);
        } catch (IOException unreadable) {
            err.println("depmod: ERROR: could not fstatat(" + moduleDirName + ", modules.dep): " + reason(unreadable));
            return false;
        }
        return noModuleNewer(moduleDir, indexSecond);
    }

    private static boolean noModuleNewer(Path directory, long indexSecond) {
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(directory)) {
            for (Path entry : entries) {
                String name = entry.getFileName().toString();
                if (name.equals("build") || name.equals("source")) {
                    continue;
                }
                BasicFileAttributes attributes = Files.readAttributes(entry, BasicFileAttributes.class);
                if (attributes.isDirectory() ? !noModuleNewer(entry, indexSecond)
                        : attributes.isRegularFile() && ModuleNames.isModuleFile(name)
                                && attributes.lastModifiedTime().to(TimeUnit.SECONDS) > indexSecond) {
                    return false;
                }
            }
        } catch (IOException unreadable) {
            // depmod passes over what it cannot read
        }
        return true;
    }

    /**
     * Each file is written beside its final name (NAME.PID.MICROS.SECONDS, as depmod names it) and renamed over
     * it, so readers never see a half-written index.
     */
    private static void write(Path moduleDir, Map<String, byte[]> files) throws IOException {
        long now = System.currentTimeMillis();
        String suffix = "." + ProcessHandle.current().pid() + "." + (now % 1000) * 1000 + "." + now / 1000;
        for (Map.Entry<String, byte[]> file : files.entrySet()) {
            Path temporary = moduleDir.resolve(file.getKey() + suffix);
            try (FileChannel channel = FileChannel.open(temporary, java.util.Set.of(StandardOpenOption.CREATE_NEW,
                    StandardOpenOption.WRITE), PosixFilePermissions.asFileAttribute(
                            PosixFilePermissions.fromString("rw-r--r--")))) {
                ByteBuffer contents = ByteBuffer.wrap(file.getValue());
                while (contents.hasRemaining()) {
                    channel.write(contents);
                }
            } catch (IOException failed) {
                Files.deleteIfExists(temporary);
                throw new IOException("cannot write " + moduleDir.resolve(file.getKey()) + ": " + reason(failed)
                        + "; check that the module directory is writable", failed);
            }
            Files.move(temporary, moduleDir.resolve(file.getKey()), StandardCopyOption.ATOMIC_MOVE);
        }
    }

    private static String reason(IOException failure) {
        if (failure instanceof NoSuchFileException) {
            return "No such file or directory";
        }
        if (failure instanceof java.nio.file.AccessDeniedException) {
            return "Permission denied";
        }
        return String.valueOf(failure.getMessage());
    }
}
