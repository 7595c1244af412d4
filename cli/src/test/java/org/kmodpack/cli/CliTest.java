package org.kmodpack.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.kmodpack.testkernels.SyntheticKernel;
import org.kmodpack.testkernels.SyntheticKernels;
import org.kmodpack.testkernels.TreeAssertions;

/** The kmodpack command as a user runs it: output, exit codes 0/1/2, one-line errors. */
class CliTest {
    @TempDir
    static Path work;
    static Path tree;
    static Path bundle;

    record Run(int exit, String out, String err, byte[] stdout) {
    }

    @BeforeAll
    static void packBasic() throws IOException {
        tree = SyntheticKernels.moduleDir(SyntheticKernel.BASIC);
        bundle = work.resolve("basic.kpack");
        Run pack = run("pack", tree.toString(), "-o", bundle.toString());
        assertEquals(0, pack.exit, pack.err);
        assertTrue(pack.out.startsWith(bundle + ": ") && pack.out.contains(" files, ")
                && pack.out.contains("kernel " + SyntheticKernel.BASIC.kernelVersion()), pack.out);
    }

    @Test
    void versionAndHelpOnEveryCommand() {
        Run version = run("--version");
        assertEquals(0, version.exit);
        assertTrue(version.out.startsWith("kmodpack "), version.out);
        assertTrue(version.out.endsWith(", reads and writes bundle formats 1.0 to 1.4\n"),
                "the newest format this build reads: " + version.out);
        for (String command : new String[] {"pack", "ls", "cat", "extract", "info", "keygen", "sign", "verify",
            "modprobe", "modinfo"}) {
            Run help = run(command, "--help");
            assertEquals(0, help.exit, command);
            assertTrue(help.out.contains("Usage: kmodpack " + command), help.out);
        }
    }

    @Test
    void usageErrorsExitWithTwo() {
        assertEquals(2, run().exit);
        assertEquals(2, run("pack", "--level", "loud", tree.toString()).exit);
        assertEquals(2, run("pack", "--block-size", "3K", tree.toString()).exit);
        assertEquals(2, run("ls", "--no-such-option", bundle.toString()).exit);
        assertEquals(2, run("cat", bundle.toString()).exit);
    }

    @Test
    void failuresExitWithOneAndOneLineNamingTheFile() {
        Run missing = run("info", work.resolve("missing.kpack").toString());
        assertEquals(1, missing.exit);
        assertEquals(1, missing.err.lines().count(), missing.err);
        assertTrue(missing.err.startsWith("kmodpack: ") && missing.err.contains("missing.kpack"), missing.err);

        Run debug = run("info", "--debug", work.resolve("missing.kpack").toString());
        assertEquals(1, debug.exit);
        assertTrue(debug.err.contains("\tat "), "--debug prints the stack trace");

        Run directory = run("cat", bundle.toString(), "kernel");
        assertEquals(1, directory.exit);
        assertTrue(directory.err.contains("kernel is a directory"), directory.err);
    }

    @Test
    void lsListsAndDescribes() {
        Run ls = run("ls", bundle.toString());
        assertEquals(0, ls.exit, ls.err);
        assertTrue(ls.out.lines().toList().containsAll(java.util.List.of("build", "kernel", "modules.dep")), ls.out);
        Run longListing = run("ls", "-l", bundle.toString());
        assertTrue(longListing.out.lines().anyMatch(l -> l.startsWith("lrwxrwxrwx") && l.contains("build -> /")),
                longListing.out);
        assertTrue(longListing.out.lines().anyMatch(l -> l.startsWith("drwxr-xr-x") && l.endsWith(" kernel")),
                longListing.out);
        Run one = run("ls", "-l", bundle.toString(), "modules.dep");
        assertTrue(one.out.startsWith("-rw-r--r--") && one.out.strip().endsWith(" modules.dep"), one.out);
    }

    @Test
    void lsRecursiveListsEveryEntryBelowInUnsquashfsOrder() throws IOException {
        List<String> below = new ArrayList<>();
        depthFirst(tree, tree.resolve("kernel"), below);
        Run recursive = run("ls", "-R", bundle.toString(), "kernel");
        assertEquals(0, recursive.exit, recursive.err);
        assertEquals(below, recursive.out.lines().toList());
        Run absolute = run("ls", "-R", bundle.toString(), "/lib/modules/" + SyntheticKernel.BASIC.kernelVersion()
                + "/kernel");
        assertEquals(recursive.out, absolute.out, "an absolute /lib/modules/KVER path names the same directory");

        Run longRecursive = run("ls", "-l", "-R", bundle.toString());
        assertEquals(0, longRecursive.exit, longRecursive.err);
        List<String> lines = longRecursive.out.lines().toList();
        List<String> all = new ArrayList<>();
        depthFirst(tree, tree, all);
        assertEquals(all.size(), lines.size(), longRecursive.out);
        for (int i = 0; i < lines.size(); i++) {
            Path source = tree.resolve(all.get(i));
            String name = Files.isSymbolicLink(source) ? all.get(i) + " -> " + Files.readSymbolicLink(source)
                    : all.get(i);
            assertTrue(lines.get(i).endsWith(" " + name), lines.get(i) + " names " + name);
            char type = Files.isSymbolicLink(source) ? 'l' : Files.isDirectory(source) ? 'd' : '-';
            assertEquals(type, lines.get(i).charAt(0), lines.get(i));
        }
    }

    /** The paths below {@code directory}, relative to {@code root}: each directory before its entries, sorted. */
    private static void depthFirst(Path root, Path directory, List<String> into) throws IOException {
        List<Path> children;
        try (Stream<Path> listing = Files.list(directory)) {
            children = listing.sorted(Comparator.comparing(Path::toString)).toList();
        }
        for (Path child : children) {
            into.add(root.relativize(child).toString());
            if (Files.isDirectory(child, LinkOption.NOFOLLOW_LINKS)) {
                depthFirst(root, child, into);
            }
        }
    }

    @Test
    void catWritesTheExactBytes() throws IOException {
        Run cat = run("cat", bundle.toString(), "modules.dep.bin");
        assertEquals(0, cat.exit, cat.err);
        assertArrayEquals(Files.readAllBytes(tree.resolve("modules.dep.bin")), cat.stdout);
    }

    @Test
    void extractRestoresTheTree() throws IOException {
        Path out = work.resolve("extracted");
        Run extract = run("extract", bundle.toString(), out.toString());
        assertEquals(0, extract.exit, extract.err);
        TreeAssertions.assertSameTree(tree, out, true);
    }

    @Test
    void extractRefusesToWriteThroughASymlink() throws IOException {
        Path outside = Files.createDirectories(work.resolve("outside"));
        Path dest = Files.createDirectories(work.resolve("trap"));
        Files.createSymbolicLink(dest.resolve("kernel"), outside);
        Run extract = run("extract", bundle.toString(), dest.toString());
        assertEquals(1, extract.exit);
        assertTrue(extract.err.contains("symlink") && extract.err.contains("trap/kernel"), extract.err);
        try (var listing = Files.list(outside)) {
            assertFalse(listing.findAny().isPresent(), "nothing written outside DEST");
        }
    }

    @Test
    void infoInTextAndJson() {
        Run text = run("info", bundle.toString());
        assertEquals(0, text.exit, text.err);
        assertTrue(text.out.contains("kernel version:  " + SyntheticKernel.BASIC.kernelVersion()), text.out);
        List<String> labels = text.out.lines().map(line -> line.substring(0, line.indexOf(':'))).toList();
        assertEquals(labels.stream().distinct().toList(), labels, "each label once");
        Run json = run("info", "--json", bundle.toString());
        assertEquals(0, json.exit, json.err);
        assertTrue(json.out.startsWith("{\"bundle\":") && json.out.contains("\"kernel_version\":\""
                + SyntheticKernel.BASIC.kernelVersion() + "\"") && json.out.contains("\"codec\":\"zstd\""), json.out);
    }

    /** Runs the command in this JVM; cat writes bytes to System.out, which is captured too. */
    static synchronized Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        PrintStream original = System.out;
        ByteArrayOutputStream stdout = new ByteArrayOutputStream();
        System.setOut(new PrintStream(stdout, true));
        int exit;
        try {
            exit = Main.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
        } finally {
            System.setOut(original);
        }
        return new Run(exit, out.toString(), err.toString(), stdout.toByteArray());
    }

}
