package org.kmodpack.modules;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.Consumer;

/**
 * modprobe.d configuration as kmod 30 reads it: alias, options, install, remove, softdep and blacklist lines
 * (any other command, weakdep included, is reported and ignored), then the kernel command line's
 * {@code module.param=value} options and {@code modprobe.blacklist=} entries.
 */
public record ModprobeConfig(List<Alias> aliases, List<Options> options, List<Command> installCommands,
        List<Command> removeCommands, List<Softdep> softdeps, List<String> blacklist) {
    /** kmod's default configuration folders, in priority order (the first wins on equal file names). */
    public static final List<Path> DEFAULT_PATHS = List.of(Path.of("/etc/modprobe.d"), Path.of("/run/modprobe.d"),
            Path.of("/usr/local/lib/modprobe.d"), Path.of("/lib/modprobe.d"));

    public record Alias(String pattern, String module) {
    }

    public record Options(String module, String options) {
    }

    public record Command(String module, String command) {
    }

    public record Softdep(String pattern, List<String> pre, List<String> post) {
    }

    /** No configuration at all, as modinfo uses. */
    public static ModprobeConfig empty() {
        return new ModprobeConfig(List.of(), List.of(), List.of(), List.of(), List.of(), List.of());
    }

    /**
     * Reads {@code paths} (files or folders; kmod's defaults when null) merged by file name with the module
     * directory's modules.softdep ({@code softdepText}, reported as {@code moduleDir/modules.softdep}), then
     * the kernel command line. Problems are reported to {@code errors} with kmod's wording and skipped.
     */
    public static ModprobeConfig load(List<Path> paths, String moduleDir, String softdepText, String kernelCmdline,
            Consumer<KmodProblem> errors) {
        List<ConfigFile> files = new ArrayList<>();
        insertSorted(files, new ConfigFile("modules.softdep", moduleDir + "/modules.softdep", softdepText));
        for (Path path : paths == null ? DEFAULT_PATHS : paths) {
            list(files, path, errors);
        }
        // Lists that the lines read fill, handed out read-only once every source has been read.
        ModprobeConfig config = new ModprobeConfig(new ArrayList<>(), new ArrayList<>(), new ArrayList<>(),
                new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
        for (ConfigFile file : files) {
            String text = file.text;
            if (text == null) {
                try {
                    text = new String(Files.readAllBytes(Path.of(file.path)), StandardCharsets.UTF_8);
                } catch (IOException unreadable) {
                    continue; // kmod skips a file it cannot open
                }
            }
            config.parse(file.path, text, errors);
        }
        if (kernelCmdline != null) {
            KernelCmdline.parse(kernelCmdline, config, errors);
        }
        return new ModprobeConfig(Collections.unmodifiableList(config.aliases),
                Collections.unmodifiableList(config.options), Collections.unmodifiableList(config.installCommands),
                Collections.unmodifiableList(config.removeCommands), Collections.unmodifiableList(config.softdeps),
                Collections.unmodifiableList(config.blacklist));
    }

    /** /proc/cmdline, or null when it cannot be read (then kmod uses no kernel options either). */
    public static String readKernelCmdline() {
        try {
            return Files.readString(Path.of("/proc/cmdline"), StandardCharsets.UTF_8);
        } catch (IOException | RuntimeException unreadable) {
            return null;
        }
    }

    private record ConfigFile(String name, String path, String text) {
    }

    private static void list(List<ConfigFile> files, Path path, Consumer<KmodProblem> errors) {
        if (!Files.exists(path)) {
            return;
        }
        if (!Files.isDirectory(path)) {
            Path name = path.getFileName();
            insertSorted(files, new ConfigFile(name == null ? path.toString() : name.toString(), path.toString(),
                    null));
            return;
        }
        List<String> names = new ArrayList<>();
        try (DirectoryStream<Path> children = Files.newDirectoryStream(path)) {
            children.forEach(child -> names.add(child.getFileName().toString()));
        } catch (IOException e) {
            errors.accept(new KmodProblem(KmodProblem.Kind.CONFIG_DIRECTORY_UNREADABLE, path.toString(), 0,
                    e instanceof java.nio.file.AccessDeniedException ? "Permission denied" : e.getMessage()));
            return;
        }
        for (String name : names) {
            if (name.startsWith(".") || name.length() < 6 || !(name.endsWith(".conf") || name.endsWith(".alias"))) {
                continue;
            }
            if (Files.isDirectory(path.resolve(name))) {
                errors.accept(KmodProblem.of(KmodProblem.Kind.CONFIG_SUBDIRECTORY, path + "/" + name));
                continue;
            }
            insertSorted(files, new ConfigFile(name, path + "/" + name, null));
        }
    }

    /** Sorted by file name (strcmp); a name already present keeps its first folder's file. */
    private static void insertSorted(List<ConfigFile> files, ConfigFile file) {
        byte[] name = file.name.getBytes(StandardCharsets.UTF_8);
        int at = 0;
        while (at < files.size()) {
            int order = java.util.Arrays.compareUnsigned(name, files.get(at).name.getBytes(StandardCharsets.UTF_8));
            if (order == 0) {
                return;
            }
            if (order < 0) {
                break;
            }
            at++;
        }
        files.add(at, file);
    }

    private void parse(String file, String text, Consumer<KmodProblem> errors) {
        ConfigLines lines = new ConfigLines(text);
        for (String line; (line = lines.next()) != null; ) {
            if (line.isEmpty() || line.charAt(0) == '#') {
                continue;
            }
            Tokens tokens = new Tokens(line);
            String command = tokens.next();
            if (command == null) {
                continue;
            }
            boolean ok = switch (command) {
                case "alias" -> {
                    String alias = underscores(tokens.next());
                    String module = underscores(tokens.next());
                    if (alias == null || module == null) {
                        yield false;
                    }
                    aliases.add(new Alias(alias, module));
                    yield true;
                }
                case "blacklist" -> {
                    String module = underscores(tokens.next());
                    if (module == null) {
                        yield false;
                    }
                    blacklist.add(module);
                    yield true;
                }
                case "options", "install", "remove", "softdep" -> {
                    String module = underscores(tokens.next());
                    String rest = tokens.rest();
                    if (module == null || rest == null) {
                        yield false;
                    }
                    switch (command) {
                        case "options" -> options.add(new Options(module, rest.replace('\t', ' ')));
                        case "install" -> installCommands.add(new Command(module, rest));
                        case "remove" -> removeCommands.add(new Command(module, rest));
                        default -> softdeps.add(softdep(module, rest));
                    }
                    yield true;
                }
                case "include", "config" -> {
                    errors.accept(new KmodProblem(KmodProblem.Kind.CONFIG_COMMAND_DEPRECATED, file, 0, command));
                    yield true;
                }
                default -> false;
            };
            if (!ok) {
                errors.accept(new KmodProblem(KmodProblem.Kind.CONFIG_BAD_LINE, file, lines.number(), command));
            }
        }
    }

    void addOptions(String module, String value) {
        options.add(new Options(module, value.replace('\t', ' ')));
    }

    void addBlacklist(String module) {
        blacklist.add(module);
    }

    /** "pre:" and "post:" switch lists; names before either are dropped, as kmod does. */
    private static Softdep softdep(String module, String line) {
        List<String> pre = new ArrayList<>();
        List<String> post = new ArrayList<>();
        List<String> target = null;
        for (String word : line.split("[ \t\n\u000B\f\r]+")) {
            if (word.isEmpty()) {
                continue;
            }
            if (word.equals("pre:")) {
                target = pre;
            } else if (word.equals("post:")) {
                target = post;
            } else if (target != null) {
                target.add(word);
            }
        }
        return new Softdep(module, List.copyOf(pre), List.copyOf(post));
    }

    /** {@link ModuleNames#underscores} of a word that may be missing (null); null when either fails. */
    private static String underscores(String word) {
        return word == null ? null : ModuleNames.underscores(word).orElse(null);
    }

    /** strtok_r over " \t"; {@link #rest} is strtok_r(NULL, "\0"): all after the last token's delimiter. */
    private static final class Tokens {
        private final String line;
        private int at;

        Tokens(String line) {
            this.line = line;
        }

        String next() {
            while (at < line.length() && (line.charAt(at) == ' ' || line.charAt(at) == '\t')) {
                at++;
            }
            if (at >= line.length()) {
                return null;
            }
            int start = at;
            while (at < line.length() && line.charAt(at) != ' ' && line.charAt(at) != '\t') {
                at++;
            }
            String token = line.substring(start, at);
            if (at < line.length()) {
                at++;
            }
            return token;
        }

        String rest() {
            if (at >= line.length()) {
                return null;
            }
            String rest = line.substring(at);
            at = line.length();
            return rest;
        }
    }
}
