package org.kmodpack.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.kmodpack.modules.Depmod;
import org.kmodpack.testkernels.DebianKernels;
import org.kmodpack.testkernels.HardLinkedTree;
import org.kmodpack.testkernels.Kmod;
import org.kmodpack.testkernels.SyntheticKernel;
import org.kmodpack.testkernels.SyntheticKernels;

/**
 * kmodpack depmod against kmod's depmod with the same arguments on the same tree (kmod first, then ours after
 * its files are removed): the same files, stdout, stderr (kmod's words, full paths) and exit status.
 */
class DepmodCommandTest {
    private static final SyntheticKernel KERNEL = SyntheticKernel.BASIC;
    /** A kernel export BASIC's modules import, left out of the System.map given to depmod. */
    private static final String UNKNOWN = "printk";

    @TempDir
    Path work;

    private Path root;
    private Path moduleDir;
    private Path systemMap;

    private void basicWithBrokenModules() throws IOException {
        Path source = SyntheticKernels.root(KERNEL);
        root = work.resolve("root");
        moduleDir = HardLinkedTree.copy(source.resolve("lib/modules").resolve(KERNEL.kernelVersion()), root,
                KERNEL.kernelVersion());
        systemMap = source.resolve("boot/System.map-" + KERNEL.kernelVersion());
        Path broken = Files.createDirectories(moduleDir.resolve("kernel/broken"));
        Files.write(broken.resolve("garbage.ko"), "not a module at all".getBytes(StandardCharsets.UTF_8));
        Files.write(broken.resolve("empty.ko"), new byte[0]);
        Files.createDirectories(work.resolve("depmod.d"));
        // A line depmod refuses, an unknown import (no module and not the kernel exports it).
        Files.writeString(work.resolve("depmod.d/bad.conf"), "search updates built-in\nfrobnicate\n");
        List<String> map = new ArrayList<>(Files.readAllLines(systemMap));
        map.removeIf(line -> line.endsWith(" __ksymtab_" + UNKNOWN));
        map.add("line-without-spaces");
        systemMap = work.resolve("System.map");
        Files.write(systemMap, map);
    }

    private record Both(Kmod.Result kmod, CliTest.Run ours, Map<String, byte[]> kmodFiles,
            Map<String, byte[]> ourFiles) {
    }

    private Both run(String... arguments) throws IOException {
        List<String> kmodCommand = new ArrayList<>(List.of("depmod"));
        kmodCommand.addAll(List.of(arguments));
        Kmod.Result kmod = Kmod.run(kmodCommand);
        Map<String, byte[]> kmodFiles = takeIndexFiles();
        List<String> ours = new ArrayList<>(List.of("depmod"));
        ours.addAll(List.of(arguments));
        CliTest.Run run = CliTest.run(ours.toArray(String[]::new));
        return new Both(kmod, run, kmodFiles, takeIndexFiles());
    }

    /** Reads and removes the index files, so the next run starts from the same tree. */
    private Map<String, byte[]> takeIndexFiles() throws IOException {
        Map<String, byte[]> files = new LinkedHashMap<>();
        for (String name : Depmod.INDEX_FILES) {
            Path file = moduleDir.resolve(name);
            if (Files.exists(file)) {
                files.put(name, Files.readAllBytes(file));
                Files.delete(file);
            }
        }
        return files;
    }

    private static void assertSame(Both both) {
        assertEquals(both.kmod.exit(), both.ours.exit(), both.ours.err());
        assertEquals(both.kmod.err(), both.ours.err());
        assertArrayEquals(both.kmod.stdout(), both.ours.stdout());
        assertEquals(both.kmodFiles.keySet(), both.ourFiles.keySet());
        for (String name : both.kmodFiles.keySet()) {
            boolean same = Arrays.equals(both.kmodFiles.get(name), both.ourFiles.get(name));
            System.out.printf("kmodpack depmod %-26s kmod %7d bytes, ours %7d bytes: %s%n", name,
                    both.kmodFiles.get(name).length, both.ourFiles.get(name).length, same ? "identical" : "DIFFERENT");
            assertTrue(same, name);
        }
    }

    @Test
    void writesKmodsFilesAndReportsBrokenModulesAndUnknownSymbolsInKmodsWords() throws IOException {
        basicWithBrokenModules();
        Both both = run("-a", "-b", root.toString(), "-C", work.resolve("depmod.d").toString(), "-e", "-F",
                systemMap.toString(), KERNEL.kernelVersion());
        assertSame(both);
        assertEquals(Depmod.INDEX_FILES, List.copyOf(both.ourFiles.keySet()));
        assertTrue(both.ours.err().contains("failed to load symbols from " + moduleDir + "/kernel/broken/empty.ko: "
                + "Invalid argument") && both.ours.err().contains(" needs unknown symbol ")
                && both.ours.err().contains("ignoring bad line starting with 'frobnicate'")
                && both.ours.err().contains("invalid line: line-without-spaces"), both.ours.err());
        try (var left = Files.list(moduleDir)) {
            assertTrue(left.noneMatch(p -> p.getFileName().toString().matches("modules\\..*\\.[0-9]+\\.[0-9]+\\.[0-9]+")),
                    "no temporary file is left behind");
        }
    }

    /**
     * Options of depmod before kmod (-u, -q, -r, -m) warned about and ignored, each as given; a relative -b with a
     * trailing slash named in every message as kmod names it: made absolute, not cleaned.
     */
    @Test
    void deprecatedOptionsAndRootAsGiven() throws IOException {
        basicWithBrokenModules();
        String relativeRoot = Path.of("").toAbsolutePath().relativize(root) + "/";
        Both both = run("-u", "--quiet", "-rm", "--unresolved-error", "-b", relativeRoot, "-C",
                work.resolve("depmod.d").toString(), "-e", "-F", systemMap.toString(), KERNEL.kernelVersion());
        assertSame(both);
        assertTrue(both.ours.err().startsWith("depmod: WARNING: Ignored deprecated option -u\n"
                + "depmod: WARNING: Ignored deprecated option --quiet\n"), both.ours.err());
        assertTrue(both.ours.err().contains("/" + relativeRoot + "/lib/modules/"), both.ours.err());
    }

    @Test
    void dryRunPrintsTheTextFilesAndWritesNothing() throws IOException {
        basicWithBrokenModules();
        Both both = run("-n", "-b", root.toString(), "-C", work.resolve("depmod.d").toString(),
                KERNEL.kernelVersion());
        assertSame(both);
        assertTrue(both.ourFiles.isEmpty());
        assertTrue(both.ours.out().isEmpty() && both.ours.stdout().length > 1000);
    }

    @Test
    void symbolVersionsFromModuleSymversAreCompared() throws IOException {
        basicWithBrokenModules();
        // Every kernel symbol with a version the modules (built without versions) do not have.
        StringBuilder symvers = new StringBuilder();
        for (String line : Files.readAllLines(systemMap)) {
            String[] words = line.split(" ");
            if (words.length == 3 && words[2].startsWith("__ksymtab_")) {
                symvers.append("0x1234abcd\t").append(words[2].substring("__ksymtab_".length()))
                        .append("\tvmlinux\tEXPORT_SYMBOL\n");
            }
        }
        symvers.append("zz\tbad_version\tvmlinux\tEXPORT_SYMBOL\n0x1\tin_a_module\tdrivers/x\tEXPORT_SYMBOL\n");
        Path file = work.resolve("Module.symvers");
        Files.writeString(file, symvers);
        Both both = run("-b", root.toString(), "-C", work.resolve("depmod.d").toString(), "-e", "-E",
                file.toString(), KERNEL.kernelVersion());
        assertSame(both);
        assertTrue(both.ours.err().contains("disagrees about version of symbol"), both.ours.err());
    }

    @Test
    void refusalsInKmodsWords() throws IOException {
        basicWithBrokenModules();
        assertSame(run("-e", "-b", root.toString(), "-C", work.resolve("depmod.d").toString(),
                KERNEL.kernelVersion()));
        assertSame(run("-b", root.toString(), "not-a-version"));
        assertSame(run("-b", work.resolve("nowhere").toString(), "-C", work.resolve("depmod.d").toString(),
                "6.1.0-none"));
        assertSame(run("-b", root.toString(), "-F", work.resolve("no-System.map").toString(),
                KERNEL.kernelVersion()));
    }

    /**
     * -A with modules.dep dated {@code depTime} (written as a stale one-line file before each tool runs): kmod's
     * and our exit status, messages and index files compared.
     */
    private Both quick(FileTime depTime, String... arguments) throws IOException {
        List<String> kmodCommand = new ArrayList<>(List.of("depmod", "-A"));
        kmodCommand.addAll(List.of(arguments));
        staleModulesDep(depTime);
        Kmod.Result kmod = Kmod.run(kmodCommand);
        Map<String, byte[]> kmodFiles = takeIndexFiles();
        staleModulesDep(depTime);
        List<String> ours = new ArrayList<>(List.of("depmod", "-A"));
        ours.addAll(List.of(arguments));
        CliTest.Run run = CliTest.run(ours.toArray(String[]::new));
        return new Both(kmod, run, kmodFiles, takeIndexFiles());
    }

    private void staleModulesDep(FileTime time) throws IOException {
        if (time != null) {
            Path dep = moduleDir.resolve("modules.dep");
            Files.writeString(dep, "stale\n");
            Files.setLastModifiedTime(dep, time);
        }
    }

    @Test
    void quickIndexesOnlyWhenAModuleIsNewerThanModulesDep() throws IOException {
        basicWithBrokenModules();
        String config = work.resolve("depmod.d").toString();
        FileTime future = FileTime.from(Instant.now().plusSeconds(3600));
        Both upToDate = quick(future, "-b", root.toString(), "-C", config, KERNEL.kernelVersion());
        assertSame(upToDate);
        assertEquals(List.of("modules.dep"), List.copyOf(upToDate.ourFiles.keySet()));
        assertEquals("stale\n", new String(upToDate.ourFiles.get("modules.dep"), StandardCharsets.UTF_8));
        Both outdated = quick(FileTime.fromMillis(0), "-b", root.toString(), "-C", config, KERNEL.kernelVersion());
        assertSame(outdated);
        assertEquals(Depmod.INDEX_FILES, List.copyOf(outdated.ourFiles.keySet()));
        assertSame(quick(null, "-b", root.toString(), "-C", config, KERNEL.kernelVersion()));
        Both dryRun = quick(FileTime.fromMillis(0), "-n", "-b", root.toString(), "-C", config,
                KERNEL.kernelVersion());
        assertSame(dryRun);
        assertEquals(0, dryRun.ours.stdout().length);
    }

    /** -P: kmod's prefix taken off exports, kernel exports and the names looked up ('c' starts many of them). */
    @Test
    void symbolPrefix() throws IOException {
        basicWithBrokenModules();
        String config = work.resolve("depmod.d").toString();
        Both both = run("-P", "c", "-e", "-F", systemMap.toString(), "-b", root.toString(), "-C", config,
                KERNEL.kernelVersion());
        assertSame(both);
        assertTrue(new String(both.ourFiles.get("modules.symbols"), StandardCharsets.UTF_8).contains(
                "alias symbol:hain_"), "chain_* exports lose their c");
        assertSame(run("--symbol-prefix=_", "-E", systemMap.toString(), "-b", root.toString(), "-C", config,
                KERNEL.kernelVersion()));
        assertSame(run("-P", "ab", "-b", root.toString(), KERNEL.kernelVersion()));
    }

    /**
     * -w and -v on Debian's generic kernel, whose modules give some aliases twice: kmod's duplicate warnings on
     * stderr and each dependency as found on stdout; with -n, no warning (the .bin files are not made).
     */
    @Test
    void warnAndVerboseOnDebianGeneric() throws IOException {
        Path source = DebianKernels.moduleDir("amd64");
        String kver = source.getFileName().toString();
        root = work.resolve("root");
        moduleDir = HardLinkedTree.copy(source, root, kver);
        Path config = Files.createDirectories(work.resolve("depmod.d"));
        Both both = run("-w", "-v", "-b", root.toString(), "-C", config.toString(), kver);
        assertSame(both);
        assertTrue(both.ours.err().contains("depmod: WARNING: duplicate module alias:\n"), both.ours.err());
        assertTrue(new String(both.ours.stdout(), StandardCharsets.UTF_8).contains(moduleDir + "/kernel/"),
                "-v names modules by full path");
        Both dryRun = run("--warn", "--verbose", "-n", "-b", root.toString(), "-C", config.toString(), kver);
        assertSame(dryRun);
        assertEquals("", dryRun.ours.err());
    }

    /**
     * Module files named after KVER: only those are indexed (with modules.order and modules.builtin of the
     * tree), a file outside the module directory by its full path; kmod's refusals of relative, missing and
     * twice-named files; -a indexes the whole tree whatever is named.
     */
    @Test
    void namedModuleFiles() throws IOException {
        basicWithBrokenModules();
        Path outside = Files.createDirectories(work.resolve("outside"));
        Files.copy(moduleDir.resolve("kernel/lib/chain/chain_d.ko"), outside.resolve("chain_d.ko"));
        String kver = KERNEL.kernelVersion();
        String chainB = moduleDir.resolve("kernel/lib/chain/chain_b.ko.xz").toString();
        String chainC = moduleDir.resolve("kernel/lib/chain/chain_c.ko.zst").toString();
        String chainD = outside.resolve("chain_d.ko").toString();
        Both both = run("-v", "-b", root.toString(), kver, chainB, chainD, chainC,
                moduleDir.resolve("kernel/broken/garbage.ko").toString());
        assertSame(both);
        String dep = new String(both.ourFiles.get("modules.dep"), StandardCharsets.UTF_8);
        assertEquals(4, dep.lines().count(), dep);
        assertTrue(dep.contains(chainD + ":"), dep);
        assertSame(run("-n", "-b", root.toString(), kver, chainC, chainD));
        assertSame(run("-b", root.toString(), kver, chainB, "kernel/lib/chain/chain_c.ko.zst"));
        assertSame(run("-b", root.toString(), kver, chainB, work.resolve("missing.ko").toString()));
        assertSame(run("-b", root.toString(), kver, chainB, chainB));
        assertSame(run("-b", root.toString(), kver, moduleDir.resolve("kernel/lib/chain/chain_d.ko").toString(),
                chainD));
        Both all = run("-a", "-b", root.toString(), "-C", work.resolve("depmod.d").toString(), kver, chainD);
        assertSame(all);
        assertTrue(new String(all.ourFiles.get("modules.dep"), StandardCharsets.UTF_8).contains(
                "kernel/lib/chain/chain_d.ko:"));
    }

    /**
     * depmod.d external directories: searched after the module directory (build, source and excluded names
     * passed over), their files named by full path, ranked where "external" stands in the search line, a
     * missing one reported; one for another kernel ignored.
     */
    @Test
    void externalDirectories() throws IOException {
        basicWithBrokenModules();
        String kver = KERNEL.kernelVersion();
        Path first = Files.createDirectories(work.resolve("ext-first/sub"));
        Path second = Files.createDirectories(work.resolve("ext-second"));
        Files.createDirectories(second.resolve("build"));
        Files.createDirectories(second.resolve("skipped"));
        Files.copy(moduleDir.resolve("kernel/lib/chain/chain_d.ko"), first.resolve("chain_d.ko"));
        Files.copy(moduleDir.resolve("kernel/lib/chain/chain_c.ko.zst"), second.resolve("chain_c.ko.zst"));
        Files.copy(moduleDir.resolve("kernel/drivers/misc/standalone.ko"), second.resolve("build/standalone.ko"));
        Files.copy(moduleDir.resolve("kernel/drivers/misc/weak_user.ko"), second.resolve("skipped/weak_user.ko"));
        Files.copy(moduleDir.resolve("kernel/drivers/misc/standalone.ko"), second.resolve("extra_one.ko"));
        Path config = Files.createDirectories(work.resolve("external.d"));
        Files.writeString(config.resolve("a.conf"), "search updates external built-in\nexclude skipped\n"
                + "external * " + work.resolve("ext-first") + "\nexternal " + kver.replace(".", "\\.") + " "
                + second + "\nexternal ^0\\. " + work.resolve("ext-other-kernel") + "\nexternal * "
                + work.resolve("ext-missing") + "\nexternal\n");
        Both both = run("-b", root.toString(), "-C", config.toString(), kver);
        assertSame(both);
        String dep = new String(both.ourFiles.get("modules.dep"), StandardCharsets.UTF_8);
        assertTrue(dep.contains(first.resolve("chain_d.ko") + ":") && dep.contains(second.resolve("chain_c.ko.zst")
                + ":") && dep.contains(second.resolve("extra_one.ko") + ":") && !dep.contains("skipped/")
                && !dep.contains("build/"), dep);
        assertTrue(both.ours.err().contains("could not open directory " + work.resolve("ext-missing")),
                both.ours.err());
        Files.writeString(config.resolve("a.conf"), "search built-in external\nexternal * " + first + "\n");
        assertSame(run("-b", root.toString(), "-C", config.toString(), kver));
    }

    /** What a parse gave, field by field. */
    private static List<Object> fields(DepmodCommand command) {
        return Arrays.asList(command.kernelVersion, command.root, command.config, command.systemMap,
                command.symvers, command.reportUnknown, command.dryRun, command.all, command.quick,
                command.modules, command.symbolPrefix, command.warnDuplicates,
                command.verbose == null ? 0 : command.verbose.length);
    }

    @Test
    void parsingWithoutPicocliGivesWhatPicocliGives() {
        List<List<String>> agreed = List.of(List.of(), List.of("6.1.0-1-amd64"), List.of("-a", "-b", "/r", "6.1"),
                List.of("-b/r", "-C", "a", "--config=b", "--config", "c", "6.1"), List.of("-ane", "-F", "/m", "6.1"),
                List.of("6.1", "--basedir", "/r", "--symvers=/s", "--errsyms", "--show"),
                List.of("--dry-run", "-abroot", "--", "-6.1"), List.of("-Ab", "/r", "6.1"), List.of("-b", "", ""), List.of("-aC/c", "6.1"),
                List.of("--filesyms=/m", "--all"), List.of("-A", "6.1"), List.of("--quick", "-n"),
                List.of("6.1", "/a.ko", "-w", "/b.ko"), List.of("-vvP_", "-v", "--verbose", "6.1"),
                List.of("--symbol-prefix", "_", "--warn", "6.1", "--", "-c.ko"), List.of("-Pab"));
        for (List<String> arguments : agreed) {
            DepmodCommand direct = DepmodCommand.parseDirectly(arguments).orElseThrow(
                    () -> new AssertionError("left to picocli: " + arguments));
            DepmodCommand picocli = new DepmodCommand();
            new picocli.CommandLine(picocli).parseArgs(arguments.toArray(String[]::new));
            assertEquals(fields(picocli), fields(direct), arguments.toString());
        }
        List<List<String>> leftToPicocli = List.of(List.of("--help"), List.of("-h"), List.of("-V"),
                List.of("--version"), List.of("-x"), List.of("--bogus"), List.of("-b"), List.of("-b", "-a"),
                List.of("-b", "/r", "-b", "/s"), List.of("-a", "-a"), List.of("-w", "-w"), List.of("-P"),
                List.of("--all=yes"), List.of("-b=/r"), List.of("-", "6.1"), List.of("-C", "https://x/depmod.d"));
        for (List<String> arguments : leftToPicocli) {
            assertTrue(DepmodCommand.parseDirectly(arguments).isEmpty(), arguments.toString());
        }
    }

    /**
     * chain_b needs chain_c, which needs chain_d; chain_d made to need chain_b (a local symbol of the same length
     * renamed and made undefined) closes a cycle: kmod writes nothing and says how many modules are on cycles.
     */
    @Test
    void dependencyCyclesWriteNothing() throws IOException {
        basicWithBrokenModules();
        Path chainD = moduleDir.resolve("kernel/lib/chain/chain_d.ko");
        byte[] elf = Files.readAllBytes(chainD);
        Files.delete(chainD); // a hard link: the original tree keeps its file
        Files.write(chainD, importing(elf, "__modinfo_0", "chain_b_run"));
        Both both = run("-b", root.toString(), "-C", work.resolve("depmod.d").toString(), KERNEL.kernelVersion());
        assertEquals(1, both.kmod.exit(), both.kmod.err());
        assertEquals(1, both.ours.exit(), both.ours.err());
        assertTrue(both.kmodFiles.isEmpty() && both.ourFiles.isEmpty());
        String found = "depmod: ERROR: Found 3 modules in dependency cycles!";
        assertTrue(both.kmod.err().contains(found), both.kmod.err());
        assertTrue(both.ours.err().contains(found), both.ours.err());
        assertTrue(both.ours.err().contains("depmod: ERROR: Cycle detected: chain_"), both.ours.err());
    }

    /** A little-endian ELF64 object whose defined symbol {@code from} becomes the undefined symbol {@code to}. */
    private static byte[] importing(byte[] elf, String from, String to) {
        java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(elf.clone()).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        long table = b.getLong(0x28);
        int count = Short.toUnsignedInt(b.getShort(0x3C));
        int symtab = -1;
        int strtab = -1;
        for (int i = 0; i < count; i++) {
            int at = (int) table + i * 64;
            if (b.getInt(at + 4) == 2) { // SHT_SYMTAB, whose sh_link is its string table
                symtab = at;
                strtab = (int) table + b.getInt(at + 0x28) * 64;
            }
        }
        int strings = (int) b.getLong(strtab + 0x18);
        int symbols = (int) b.getLong(symtab + 0x18);
        int size = (int) b.getLong(symtab + 0x20);
        for (int entry = symbols; entry < symbols + size; entry += 24) {
            int name = strings + b.getInt(entry);
            if (new String(elf, name, from.length(), StandardCharsets.US_ASCII).equals(from)
                    && elf[name + from.length()] == 0) {
                b.put(name, to.getBytes(StandardCharsets.US_ASCII));
                b.putShort(entry + 6, (short) 0); // SHN_UNDEF
                b.put(entry + 4, (byte) 0x10); // STB_GLOBAL, STT_NOTYPE
                return b.array();
            }
        }
        throw new AssertionError(from + " not found");
    }
}
