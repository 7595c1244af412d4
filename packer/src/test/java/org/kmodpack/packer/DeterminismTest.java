package org.kmodpack.packer;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.kmodpack.testkernels.DebianKernels;
import org.kmodpack.testkernels.SyntheticKernel;
import org.kmodpack.testkernels.SyntheticKernels;

/** The same tree gives the same bytes, whatever the thread count and the order directories list files in. */
class DeterminismTest {
    @TempDir
    Path work;

    @Test
    void threadCountDoesNotChangeTheBytes() throws IOException {
        Path tree = SyntheticKernels.moduleDir(SyntheticKernel.BASIC);
        PackOptions small = PackOptions.defaults().withBlockSize(64 << 10);
        assertEquals(-1, Files.mismatch(pack(tree, small.withThreads(1), "one"), pack(tree, small.withThreads(7), "seven")));
    }

    @Test
    void directoryOrderDoesNotChangeTheBytes() throws IOException {
        Path tree = SyntheticKernels.moduleDir(SyntheticKernel.S390X);
        Path copy = work.resolve("shuffled");
        copyShuffled(tree, copy, new Random(42));
        assertEquals(-1, Files.mismatch(pack(tree, PackOptions.defaults(), "original"),
                pack(copy, PackOptions.defaults().withKernelVersion(SyntheticKernel.S390X.kernelVersion()), "copy")));
    }

    @Test
    void realCloudKernelPacksIdenticallyOnOneThreadAndAll() throws IOException {
        Path tree = DebianKernels.moduleDir("cloud");
        assertEquals(-1, Files.mismatch(pack(tree, PackOptions.defaults().withThreads(1), "one"),
                pack(tree, PackOptions.defaults(), "all")));
    }

    private Path pack(Path tree, PackOptions options, String name) throws IOException {
        Path bundle = work.resolve(name + ".kpack");
        Packer.pack(tree, bundle, options, PackProgress.NONE);
        return bundle;
    }

    /** Recreates the tree creating entries in a random order, so that readdir returns another order. */
    private static void copyShuffled(Path from, Path to, Random random) throws IOException {
        List<Path> all = new ArrayList<>();
        try (Stream<Path> walk = Files.walk(from)) {
            walk.forEach(all::add);
        }
        Files.createDirectories(to);
        List<Path> directories = new ArrayList<>();
        List<Path> others = new ArrayList<>();
        for (Path p : all) {
            (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS) ? directories : others).add(p);
        }
        for (Path d : directories) {
            Files.createDirectories(to.resolve(from.relativize(d).toString()));
        }
        Collections.shuffle(others, random);
        for (Path p : others) {
            Path target = to.resolve(from.relativize(p).toString());
            Files.copy(p, target, LinkOption.NOFOLLOW_LINKS, StandardCopyOption.COPY_ATTRIBUTES);
        }
        for (Path p : others) {
            Path target = to.resolve(from.relativize(p).toString());
            if (!Files.isSymbolicLink(p)) {
                // COPY_ATTRIBUTES keeps only microseconds of the mtime; the tree has nanoseconds.
                Files.setAttribute(target, "unix:mode", Files.getAttribute(p, "unix:mode"));
                Files.setLastModifiedTime(target, Files.getLastModifiedTime(p));
            }
        }
        Collections.reverse(directories);
        for (Path d : directories) {
            Path target = to.resolve(from.relativize(d).toString());
            Files.setAttribute(target, "unix:mode", Files.getAttribute(d, "unix:mode"));
            Files.setLastModifiedTime(target, Files.getLastModifiedTime(d));
        }
    }
}
