package org.kmodpack.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.kmodpack.cli.KmodOracle.compare;
import static org.kmodpack.cli.KmodOracle.compareChunks;
import static org.kmodpack.cli.KmodOracle.concat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.kmodpack.testkernels.DebianKernels;
import org.kmodpack.testkernels.HardLinkedTree;
import org.kmodpack.testkernels.Kmod;
import org.kmodpack.testkernels.SyntheticKernel;
import org.kmodpack.testkernels.SyntheticKernels;

/**
 * kmodpack modprobe/modinfo against the real kmod run on the unpacked tree: same stdout, stderr and exit code,
 * for every module (show-depends, with -i too, modinfo), a concrete instance of every modules.alias pattern
 * (resolve-alias), the configuration and indexes (-c) and module files' symbols (--show-exports,
 * --show-modversions), with the host's default configuration and with a test configuration exercising every
 * config command.
 */
class KmodComparisonTest {
    /** Arguments per call, so that the longest alias lists stay far below the kernel's argument limit. */
    private static final int CHUNK = 1500;

    @TempDir
    Path work;

    static Stream<Arguments> trees() {
        return Stream.of(Arguments.of("BASIC"), Arguments.of("S390X"), Arguments.of("POWERPC"),
                Arguments.of("I686"), Arguments.of("BASIC without modules.builtin"), Arguments.of("debian-cloud"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("trees")
    void sameAnswersAsKmod(String treeName) throws IOException {
        check(treeName);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("amd64")
    @Tag("amd64")
    void sameAnswersAsKmodOnTheGenericKernel(String treeName) throws IOException {
        check(treeName);
    }

    static Stream<Arguments> amd64() {
        return Stream.of(Arguments.of("debian-amd64"));
    }

    private void check(String treeName) throws IOException {
        Path moduleDir = moduleDir(treeName);
        Path root = moduleDir.getParent().getParent().getParent();
        String kver = moduleDir.getFileName().toString();
        Path bundle = work.resolve("tree.kpack");
        CliTest.Run pack = CliTest.run("pack", moduleDir.toString(), "-o", bundle.toString());
        assertEquals(0, pack.exit(), pack.err());

        List<String> modules = modules(moduleDir);
        List<String> builtins = builtins(moduleDir);
        List<String> aliasInstances = aliasInstances(moduleDir);
        Path config = testConfig(modules, builtins);
        List<String> modprobe = List.of("modprobe", "-d", root.toString(), "-S", kver);
        List<String> ours = List.of("modprobe", bundle.toString(), "-d", root.toString());

        Path second = secondConfig(modules);
        for (List<String> cfg : List.of(List.<String>of(), List.of("-C", config.toString()),
                List.of("-C", config.toString(), "-C", second.toString()))) {
            List<String> names = new ArrayList<>(modules);
            names.addAll(builtins);
            names.addAll(List.of("no-such-module", "my-alias-one", "only-a-command", "pattern-xyz"));
            compareChunks(concat(modprobe, cfg, List.of("-D", "-a")), concat(ours, cfg, List.of("-D", "-a")),
                    names, CHUNK);
            compareChunks(concat(modprobe, cfg, List.of("-D", "-a", "-b")),
                    concat(ours, cfg, List.of("-D", "-a", "-b")), names, CHUNK);
            compareChunks(concat(modprobe, cfg, List.of("-D", "-a", "-i")),
                    concat(ours, cfg, List.of("-D", "-a", "-i")), names, CHUNK);
            compare(concat(modprobe, cfg, List.of("-c")), concat(ours, cfg, List.of("-c")));
            List<String> queries = new ArrayList<>(aliasInstances);
            queries.addAll(List.of("my-alias-one", "pattern-xyz", "symbol:no_such_symbol", "bad]alias"));
            compareChunks(concat(modprobe, cfg, List.of("-R", "-a")), concat(ours, cfg, List.of("-R", "-a")),
                    queries, CHUNK);
            List<String> single = List.of("-D", modules.get(0), "a=1", "b=x y", "c='q r'");
            compare(concat(modprobe, cfg, single), concat(ours, cfg, single));
            List<String> firstOnly = List.of("-R", "my-alias-one", "pattern-xyz");
            compare(concat(modprobe, cfg, firstOnly), concat(ours, cfg, firstOnly));
        }
        // -q silences kmod's messages, not the lines; -S names the bundle's own kernel.
        List<String> quietNames = List.of(modules.get(0), "no-such-module", "my-alias-one");
        compare(concat(modprobe, List.of("-q", "-D", "-a"), quietNames),
                concat(ours, List.of("-S", kver, "-q", "-D", "-a"), quietNames));
        compare(concat(modprobe, List.of("-q", "-D", "no-such-module")),
                concat(ours, List.of("-q", "-D", "no-such-module")));
        // --show-exports and --show-modversions take a module file: the first modules of modules.dep, a file that is
        // not a module, none.
        List<String> files = new ArrayList<>(Files.readAllLines(moduleDir.resolve("modules.dep")).stream()
                .map(line -> line.substring(0, line.indexOf(':'))).limit(30).toList());
        files.addAll(List.of("modules.dep", "no/such.ko"));
        for (String file : files) {
            String path = moduleDir + "/" + file;
            for (String query : List.of("--show-exports", "--show-modversions")) {
                compare(concat(modprobe, List.of(query, path)), concat(ours, List.of(query, path)));
            }
        }
        List<String> infoNames = new ArrayList<>(modules);
        infoNames.addAll(builtins);
        infoNames.add("no-such-module");
        compareChunks(List.of("modinfo", "-b", root.toString(), "-k", kver),
                List.of("modinfo", bundle.toString(), "-b", root.toString(), "-k", kver), infoNames, CHUNK);
        compareChunks(List.of("modinfo", "-b", root.toString(), "-k", kver, "-0"),
                List.of("modinfo", bundle.toString(), "-b", root.toString(), "-0"), infoNames, CHUNK);
        for (String field : List.of("parm", "alias", "filename", "name", "signature", "depends")) {
            compareChunks(List.of("modinfo", "-b", root.toString(), "-k", kver, "-F", field),
                    List.of("modinfo", bundle.toString(), "-b", root.toString(), "-F", field), infoNames, CHUNK);
            compareChunks(List.of("modinfo", "-b", root.toString(), "-k", kver, "-0", "-F", field),
                    List.of("modinfo", bundle.toString(), "-b", root.toString(), "--null", "-F", field), infoNames,
                    CHUNK);
        }
    }

    private Path moduleDir(String treeName) throws IOException {
        return switch (treeName) {
            case "BASIC without modules.builtin" -> withoutBuiltin();
            case "debian-cloud" -> DebianKernels.moduleDir("cloud");
            case "debian-amd64" -> DebianKernels.moduleDir("amd64");
            default -> SyntheticKernels.moduleDir(SyntheticKernel.valueOf(treeName));
        };
    }

    /**
     * A tree assembled by hand: no modules.builtin, modules.builtin.modinfo or modules.order, so depmod writes
     * empty builtin indexes.
     */
    private Path withoutBuiltin() throws IOException {
        String kver = SyntheticKernel.BASIC.kernelVersion();
        Path root = work.resolve("root");
        Path moduleDir = HardLinkedTree.copy(SyntheticKernels.moduleDir(SyntheticKernel.BASIC), root, kver);
        for (String name : List.of("modules.builtin", "modules.builtin.modinfo", "modules.order")) {
            Files.delete(moduleDir.resolve(name));
        }
        Path noConfig = Files.createDirectories(work.resolve("depmod.d"));
        Kmod.Result depmod = Kmod.run(List.of("depmod", "-b", root.toString(), "-C", noConfig.toString(), kver));
        assertEquals(0, depmod.exit(), depmod.err());
        assertEquals(0, Files.size(moduleDir.resolve("modules.builtin.bin")));
        return moduleDir;
    }

    /** Module names from modules.dep, as kmod derives them from the paths. */
    static List<String> modules(Path moduleDir) throws IOException {
        Set<String> names = new LinkedHashSet<>();
        for (String line : Files.readAllLines(moduleDir.resolve("modules.dep"), StandardCharsets.UTF_8)) {
            String path = line.substring(0, line.indexOf(':'));
            String base = path.substring(path.lastIndexOf('/') + 1);
            names.add(base.substring(0, base.indexOf('.')).replace('-', '_'));
        }
        assertTrue(names.size() > 0, "no modules in " + moduleDir);
        return List.copyOf(names);
    }

    static List<String> builtins(Path moduleDir) throws IOException {
        Path file = moduleDir.resolve("modules.builtin");
        if (!Files.exists(file)) {
            return List.of();
        }
        List<String> names = new ArrayList<>();
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            String base = line.substring(line.lastIndexOf('/') + 1);
            names.add(base.substring(0, base.indexOf('.')).replace('-', '_'));
        }
        return names;
    }

    /** A string per modules.alias pattern that the pattern matches: '*' → "Z", '?' → "Q", a class → a member. */
    static List<String> aliasInstances(Path moduleDir) throws IOException {
        List<String> instances = new ArrayList<>();
        for (String line : Files.readAllLines(moduleDir.resolve("modules.alias"), StandardCharsets.UTF_8)) {
            if (!line.startsWith("alias ")) {
                continue;
            }
            String pattern = line.split(" ")[1];
            StringBuilder s = new StringBuilder();
            for (int i = 0; i < pattern.length(); i++) {
                char c = pattern.charAt(i);
                int close = c == '[' ? pattern.indexOf(']', i + 2) : -1;
                if (c == '*') {
                    s.append('Z');
                } else if (c == '?') {
                    s.append('Q');
                } else if (close > 0) {
                    char first = pattern.charAt(i + 1);
                    s.append(first == '!' || first == '^' ? '\u0001' : first);
                    i = close;
                } else {
                    s.append(c);
                }
            }
            instances.add(s.toString());
        }
        return instances;
    }

    /**
     * A second -C folder: a file named like one of the first folder's (ignored: the first folder wins) and one
     * that sorts before it (read first), and a plain file given as a folder entry.
     */
    private Path secondConfig(List<String> modules) throws IOException {
        Path dir = Files.createDirectories(work.resolve("second.d"));
        Files.writeString(dir.resolve("10-test.conf"), "alias my-alias-one " + modules.get(modules.size() - 1) + "\n");
        Files.writeString(dir.resolve("05-early.conf"), "options " + modules.get(0) + " early=1\n"
                + "alias pattern-* " + modules.get(modules.size() - 1) + "\n");
        Files.createDirectories(dir.resolve("nested.conf"));
        return dir;
    }

    /** Every config command kmod 30 knows, plus weakdep (an error in kmod 30), a bad line and a continuation. */
    private Path testConfig(List<String> modules, List<String> builtins) throws IOException {
        String m0 = modules.get(0);
        String m1 = modules.get(1 % modules.size());
        String m2 = modules.get(2 % modules.size());
        String m3 = modules.get(3 % modules.size());
        String m4 = modules.get(4 % modules.size());
        String m5 = modules.get(5 % modules.size());
        String b0 = builtins.isEmpty() ? "no_builtin" : builtins.get(0);
        Path dir = Files.createDirectories(work.resolve("modprobe.d"));
        Files.writeString(dir.resolve("10-test.conf"), String.join("\n",
                "# kmodpack test configuration",
                "alias my-alias-one " + m0,
                "alias pattern-* " + m1,
                "alias " + m2 + " " + m3,
                "options " + m0 + " opt0=1",
                "options\t" + m1 + "\topt1=a\tb=2",
                "options my_alias_one via_alias=1",
                "options " + m4 + " long=\\",
                "continued",
                "softdep " + m0 + " pre: " + m5 + " nosuch bad]name " + b0 + " post: " + m4,
                "softdep " + m0 + " pre: " + m3,
                "softdep " + m3.charAt(0) + "* post: " + m2,
                "install " + m5 + " /bin/true $CMDLINE_OPTS",
                "install " + b0 + " echo builtin",
                "install only-a-command echo hello",
                "remove " + m4 + " echo removing",
                "blacklist " + m1,
                "weakdep " + m0 + " " + m3,
                "bogus line here",
                "options " + m2 + " ",
                "alias\tTab-Alias\t" + m4,
                "softdep " + m4 + " pre:",
                "  # indented comment is a bad line in kmod",
                ""));
        Files.writeString(dir.resolve("20-more.alias"), "alias pattern-x* " + m2 + "\n");
        Files.writeString(dir.resolve("ignored.txt"), "alias ignored " + m0 + "\n");
        return dir;
    }
}
