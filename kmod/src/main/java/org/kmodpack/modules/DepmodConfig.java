package org.kmodpack.modules;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * depmod.d as kmod 30's depmod reads it: {@code search}, {@code override}, {@code exclude} and {@code external}
 * lines of the {@code .conf} files of the configuration folders, merged by file name (the first folder wins),
 * for one kernel version. Lists are kept in depmod's order: each line's entries pushed in front of the earlier
 * ones, so that the first {@code search} entry ends last and ranks highest.
 */
public final class DepmodConfig {
    /** depmod's default configuration folders, in priority order (the first wins on equal file names). */
    public static final List<Path> DEFAULT_PATHS = List.of(Path.of("/etc/depmod.d"), Path.of("/run/depmod.d"),
            Path.of("/usr/local/lib/depmod.d"), Path.of("/lib/depmod.d"));
    static final String BUILT_IN = "built-in";
    static final String EXTERNAL = "external";

    /** A {@code search} entry: a subdirectory of the module directory, or {@value #BUILT_IN} or {@value #EXTERNAL}. */
    record Search(String path) {
    }

    private final List<Search> searches = new ArrayList<>();
    /** {@code subdir/modname}, the module's path without its extension. */
    private final List<String> overrides = new ArrayList<>();
    private final List<String> externals = new ArrayList<>();
    private final List<String> excludes = new ArrayList<>();
    private final String kernelVersion;

    private DepmodConfig(String kernelVersion) {
        this.kernelVersion = kernelVersion;
    }

    /** No configuration files: depmod's default search of "updates" first, then everything else. */
    public static DepmodConfig defaults(String kernelVersion) {
        return new DepmodConfig(kernelVersion).finish();
    }

    /**
     * Reads {@code paths} (files or folders; {@link #DEFAULT_PATHS} when null) as depmod -C does for
     * {@code kernelVersion}; problems are reported and the offending line or file skipped, as depmod does.
     */
    public static DepmodConfig load(List<Path> paths, String kernelVersion, Consumer<KmodProblem> problems) {
        List<Path> files = new ArrayList<>();
        for (Path path : paths == null ? DEFAULT_PATHS : paths) {
            list(files, path, problems);
        }
        DepmodConfig config = new DepmodConfig(kernelVersion);
        for (Path file : files) {
            String text;
            try {
                text = new String(Files.readAllBytes(file), StandardCharsets.UTF_8);
            } catch (IOException unreadable) {
                problems.accept(new KmodProblem(KmodProblem.Kind.CONFIG_FILE_UNREADABLE, file.toString(), 0,
                        Objects.toString(unreadable.getMessage(), "")));
                continue;
            }
            config.parse(file.toString(), text, problems);
        }
        return config.finish();
    }

    /** Parses configuration given as text, for trees and tests that do not come from disk; {@code files} in order. */
    public static DepmodConfig parse(List<ConfigText> files, String kernelVersion, Consumer<KmodProblem> problems) {
        DepmodConfig config = new DepmodConfig(kernelVersion);
        for (ConfigText file : files) {
            config.parse(file.name(), file.text(), problems);
        }
        return config.finish();
    }

    /** One configuration file's text and the name problems give it. */
    public record ConfigText(String name, String text) {
    }

    /** Whether depmod passes over files and directories of this name: ".", "..", build, source, exclude lines. */
    public boolean excludes(String name) {
        return name.equals(".") || name.equals("..") || name.equals("build") || name.equals("source")
                || excludes.contains(name);
    }

    List<Search> searches() {
        return searches;
    }

    List<String> overrides() {
        return overrides;
    }

    /** The {@code external} directories for this kernel, in the order depmod searches them (the last line's first). */
    public List<String> externals() {
        return externals;
    }

    public String kernelVersion() {
        return kernelVersion;
    }

    private DepmodConfig finish() {
        if (searches.isEmpty()) {
            searches.add(0, new Search("updates"));
        }
        return this;
    }

    /** cfg_files_list: a file stands for itself; a folder gives its .conf files not starting with '.'. */
    private static void list(List<Path> files, Path path, Consumer<KmodProblem> problems) {
        if (!Files.exists(path)) {
            return;
        }
        if (!Files.isDirectory(path)) {
            insertSorted(files, path);
            return;
        }
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(path)) {
            for (Path entry : entries) {
                String name = entry.getFileName().toString();
                if (name.startsWith(".") || name.length() < 6 || !name.endsWith(".conf")) {
                    continue;
                }
                if (Files.isDirectory(entry)) {
                    problems.accept(KmodProblem.of(KmodProblem.Kind.CONFIG_SUBDIRECTORY, path + "/" + name));
                    continue;
                }
                insertSorted(files, entry);
            }
        } catch (IOException unreadable) {
            problems.accept(new KmodProblem(KmodProblem.Kind.CONFIG_DIRECTORY_UNREADABLE, path.toString(), 0,
                    Objects.toString(unreadable.getMessage(), "")));
        }
    }

    /** Sorted by file name, byte order; a name already present (from an earlier folder) wins. */
    private static void insertSorted(List<Path> files, Path file) {
        byte[] name = file.getFileName().toString().getBytes(StandardCharsets.UTF_8);
        int at = 0;
        for (; at < files.size(); at++) {
            int order = java.util.Arrays.compareUnsigned(name,
                    files.get(at).getFileName().toString().getBytes(StandardCharsets.UTF_8));
            if (order == 0) {
                return;
            }
            if (order < 0) {
                break;
            }
        }
        files.add(at, file);
    }

    private void parse(String file, String text, Consumer<KmodProblem> problems) {
        ConfigLines lines = new ConfigLines(text);
        for (String line = lines.next(); line != null; line = lines.next()) {
            parseLine(file, lines.number(), line, problems);
        }
    }

    private void parseLine(String file, int lineNumber, String line, Consumer<KmodProblem> problems) {
        if (line.isEmpty() || line.charAt(0) == '#') {
            return;
        }
        List<String> words = words(line);
        if (words.isEmpty()) {
            return;
        }
        String command = words.get(0);
        switch (command) {
            case "search" -> words.subList(1, words.size()).forEach(path -> searches.add(0, new Search(path)));
            case "exclude" -> words.subList(1, words.size()).forEach(name -> excludes.add(0, name));
            case "override" -> {
                if (words.size() < 4) {
                    badLine(file, lineNumber, command, problems);
                } else if (kernelMatches(words.get(2))) {
                    overrides.add(0, words.get(3) + "/" + words.get(1));
                }
            }
            case "external" -> {
                if (words.size() < 3) {
                    badLine(file, lineNumber, command, problems);
                } else if (kernelMatches(words.get(1))) {
                    externals.add(0, words.get(2));
                }
            }
            case "include", "make_map_files" -> {
                // depmod says "not implemented yet" at verbose levels only
            }
            default -> badLine(file, lineNumber, command, problems);
        }
    }

    private static void badLine(String file, int line, String command, Consumer<KmodProblem> problems) {
        problems.accept(new KmodProblem(KmodProblem.Kind.CONFIG_BAD_LINE, file, line, command));
    }

    /** strtok_r on tabs and spaces. */
    private static List<String> words(String line) {
        List<String> words = new ArrayList<>();
        for (String word : line.split("[\t ]+")) {
            if (!word.isEmpty()) {
                words.add(word);
            }
        }
        return words;
    }

    /** cfg_kernel_matches: "*", or an extended regular expression found anywhere in the kernel version. */
    private boolean kernelMatches(String pattern) {
        if (pattern.equals("*")) {
            return true;
        }
        try {
            return Pattern.compile(pattern).matcher(kernelVersion).find();
        } catch (PatternSyntaxException invalid) {
            return false;
        }
    }
}
