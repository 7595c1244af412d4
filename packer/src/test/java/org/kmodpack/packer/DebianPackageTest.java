package org.kmodpack.packer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.kmodpack.modules.Depmod;
import org.kmodpack.reader.Bundle;
import org.kmodpack.reader.Extractor;
import org.kmodpack.testkernels.Commands;
import org.kmodpack.testkernels.DebianKernels;
import org.kmodpack.testkernels.Kmod;
import org.kmodpack.testkernels.ProcessResult;
import org.kmodpack.testkernels.TreeAssertions;

/**
 * {@code kmodpack pack PACKAGE.deb} against what users did before: {@code dpkg-deb -x}, kmod's {@code depmod -b},
 * {@code kmodpack pack DIR}. Both bundles are extracted and must hold the same tree: {@code diff -r} finds no
 * difference, and modes, symlinks, hard links and the mtime of every member the package holds are equal. The
 * index files differ only in their time (depmod's is the time it ran, ours the newest member's), and so does the
 * module directory itself, into which depmod wrote them.
 */
class DebianPackageTest {
    @TempDir
    Path work;

    @Test
    void cloudPackageGivesTheTreeOfDpkgAndDepmod() throws IOException {
        assertSameTreeAsDpkgAndDepmod("cloud");
    }

    @Test
    void genericAmd64PackageGivesTheTreeOfDpkgAndDepmod() throws IOException {
        assertSameTreeAsDpkgAndDepmod("amd64");
    }

    private void assertSameTreeAsDpkgAndDepmod(String flavour) throws IOException {
        Path deb = DebianKernels.deb(flavour);
        Path root = work.resolve("dpkg");
        Commands.check(work, List.of("dpkg-deb", "-x", deb.toString(), root.toString()));
        Path moduleDir;
        try (Stream<Path> kernels = Files.list(root.resolve("lib/modules"))) {
            moduleDir = kernels.findFirst().orElseThrow();
        }
        String kver = moduleDir.getFileName().toString();
        FileTime packaged = Files.getLastModifiedTime(moduleDir);
        Kmod.Result depmod = Kmod.run(List.of("depmod", "-b", root.toString(), kver));
        assertEquals(0, depmod.exit(), depmod.err());

        Path fromDirectory = work.resolve("directory.kpack");
        Packer.pack(root, fromDirectory, PackOptions.defaults(), PackProgress.NONE);
        Path fromPackage = work.resolve("package.kpack");
        List<FileTime> indexTimes = new ArrayList<>();
        // As `kmodpack pack PACKAGE.deb` packs it: the module files compressed as they stream out of the package.
        Packer.packArchive(deb, version -> fromPackage, PackOptions.defaults(), List.of(), StatementTerms.defaults(),
                PackProgress.NONE, tree -> {
                    assertEquals(kver, tree.kernelVersion());
                    indexTimes.add(tree.indexTime().orElseThrow());
                    assertTrue(tree.indexProblems().isEmpty(), tree.indexProblems().toString());
                    System.out.printf("%s: %s, %d members outside %s ignored, index files dated %s%n", flavour,
                            deb.getFileName(), tree.ignoredMembers(), tree.directoryName(), indexTimes.get(0));
                });
        FileTime indexTime = indexTimes.get(0);
        Path expected = extract(fromDirectory, "expected");
        Path actual = extract(fromPackage, "actual");
        assertEquals(packaged, Files.getLastModifiedTime(actual), "the module directory's time is the package's");
        Files.setLastModifiedTime(expected, packaged);
        int indexFiles = 0;
        for (String name : Depmod.INDEX_FILES) {
            if (Files.exists(expected.resolve(name))) {
                assertEquals(indexTime, Files.getLastModifiedTime(actual.resolve(name)), name);
                Files.setLastModifiedTime(expected.resolve(name), indexTime);
                indexFiles++;
            }
        }
        TreeAssertions.assertSameTree(expected, actual, false);
        ProcessResult diff = Commands.run(work, List.of("diff", "-r", "--no-dereference", expected.toString(),
                actual.toString()));
        assertEquals(0, diff.exitCode(), diff.describe());
        long entries;
        try (Stream<Path> walk = Files.walk(actual)) {
            entries = walk.count();
        }
        System.out.printf("%s: %d entries equal (contents, modes, links, mtimes), %d index files byte-identical "
                + "to kmod's depmod, diff -r: no difference%n", flavour, entries, indexFiles);
    }

    private Path extract(Path bundlePath, String name) throws IOException {
        Path destination = work.resolve(name);
        try (Bundle bundle = Bundle.open(bundlePath)) {
            Extractor.extract(bundle, destination, List.of(), false);
        }
        return destination;
    }
}
