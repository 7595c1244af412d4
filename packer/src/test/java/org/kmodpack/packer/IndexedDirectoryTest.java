package org.kmodpack.packer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;
import org.kmodpack.modules.Depmod;
import org.kmodpack.reader.Bundle;
import org.kmodpack.reader.Extractor;
import org.kmodpack.testkernels.Commands;
import org.kmodpack.testkernels.DebianKernels;
import org.kmodpack.testkernels.HardLinkedTree;
import org.kmodpack.testkernels.Kmod;
import org.kmodpack.testkernels.ProcessResult;
import org.kmodpack.testkernels.SyntheticKernel;
import org.kmodpack.testkernels.SyntheticKernels;
import org.kmodpack.testkernels.TreeAssertions;

/**
 * Packing a directory without modules.dep ({@link TreeSource#of}): our depmod's index files are made in memory
 * and packed with the tree, nothing is written into it, and the bundle holds the tree that kmod's
 * {@code depmod -b} plus packing give on a copy: extracted, the same files, modes, links and mtimes (the index
 * files' and the module directory's times aside, which depmod's writing sets), and diff -r finds no difference.
 */
class IndexedDirectoryTest {
    @TempDir
    Path work;

    @ParameterizedTest
    @ValueSource(strings = {"synthetic", "cloud"})
    void packsTheTreeKmodsDepmodGivesWithoutWritingIntoIt(String kernel) throws IOException {
        Path source = kernel.equals("synthetic") ? SyntheticKernels.moduleDir(SyntheticKernel.BASIC)
                : DebianKernels.moduleDir(kernel);
        String kver = source.getFileName().toString();
        Path ours = unindexedCopy(source, work.resolve("ours"), kver);
        Path kmods = unindexedCopy(source, work.resolve("kmod"), kver);
        FileTime unindexedTime = Files.getLastModifiedTime(ours);
        Map<String, FileTime> before = listing(ours);

        Path fromDirectory = work.resolve("ours.kpack");
        FileTime indexTime;
        try (TreeSource tree = TreeSource.of(work.resolve("ours"), null)) {
            assertEquals(kver, tree.kernelVersion());
            indexTime = tree.indexTime().orElseThrow();
            assertTrue(tree.indexProblems().isEmpty(), tree.indexProblems().toString());
            Packer.pack(tree, fromDirectory, PackOptions.defaults(), List.of(), StatementTerms.defaults(),
                    PackProgress.NONE);
        }
        assertEquals(before, listing(ours), "nothing is written into the packed tree");
        assertEquals(unindexedTime, Files.getLastModifiedTime(ours));

        Path config = Files.createDirectories(work.resolve("depmod.d"));
        Kmod.Result depmod = Kmod.run(List.of("depmod", "-b", work.resolve("kmod").toString(), "-C",
                config.toString(), kver));
        assertEquals(0, depmod.exit(), depmod.err());
        Path fromKmod = work.resolve("kmod.kpack");
        Packer.pack(work.resolve("kmod"), fromKmod, PackOptions.defaults(), PackProgress.NONE);

        Path expected = extract(fromKmod, "expected");
        Path actual = extract(fromDirectory, "actual");
        assertEquals(unindexedTime, Files.getLastModifiedTime(actual), "the module directory keeps its time");
        Files.setLastModifiedTime(expected, unindexedTime);
        for (String name : Depmod.INDEX_FILES) {
            boolean same = java.util.Arrays.equals(Files.readAllBytes(expected.resolve(name)),
                    Files.readAllBytes(actual.resolve(name)));
            System.out.printf("pack of an unindexed %s tree: %-26s %s kmod's depmod -b%n", kernel, name,
                    same ? "identical to" : "DIFFERENT from");
            assertEquals(indexTime, Files.getLastModifiedTime(actual.resolve(name)), name);
            Files.setLastModifiedTime(expected.resolve(name), indexTime);
        }
        TreeAssertions.assertSameTree(expected, actual, false);
        ProcessResult diff = Commands.run(work, List.of("diff", "-r", "--no-dereference", expected.toString(),
                actual.toString()));
        assertEquals(0, diff.exitCode(), diff.describe());
    }

    /**
     * A hard-linked copy of the tree without depmod's output ({@link HardLinkedTree}), its directories and links
     * dated as the source's.
     */
    private static Path unindexedCopy(Path source, Path root, String kver) throws IOException {
        Path moduleDir = HardLinkedTree.copy(source, root, kver);
        try (Stream<Path> walk = Files.walk(source)) {
            for (Path path : (Iterable<Path>) walk::iterator) {
                Path copy = moduleDir.resolve(source.relativize(path).toString());
                boolean file = Files.isRegularFile(path, LinkOption.NOFOLLOW_LINKS);
                if (!file && Files.exists(copy, LinkOption.NOFOLLOW_LINKS)) {
                    Files.getFileAttributeView(copy, BasicFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
                            .setTimes(Files.getLastModifiedTime(path, LinkOption.NOFOLLOW_LINKS), null, null);
                }
            }
        }
        return moduleDir;
    }

    /** Every entry of the tree and its modification time. */
    private static Map<String, FileTime> listing(Path directory) throws IOException {
        Map<String, FileTime> entries = new TreeMap<>();
        try (Stream<Path> walk = Files.walk(directory)) {
            for (Path path : (Iterable<Path>) walk::iterator) {
                entries.put(directory.relativize(path).toString(),
                        Files.getLastModifiedTime(path, LinkOption.NOFOLLOW_LINKS));
            }
        }
        return entries;
    }

    private Path extract(Path bundlePath, String name) throws IOException {
        Path destination = work.resolve(name);
        try (Bundle bundle = Bundle.open(bundlePath)) {
            Extractor.extract(bundle, destination, List.of(), false);
        }
        return destination;
    }
}
