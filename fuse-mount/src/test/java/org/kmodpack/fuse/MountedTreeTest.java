package org.kmodpack.fuse;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.kmodpack.packer.PackOptions;
import org.kmodpack.packer.PackProgress;
import org.kmodpack.packer.Packer;
import org.kmodpack.reader.Bundle;
import org.kmodpack.testkernels.SyntheticKernel;
import org.kmodpack.testkernels.SyntheticKernels;
import org.kmodpack.testkernels.TreeAssertions;

/** The synthetic BASIC tree mounted from its bundle is the tree: to diff, to Java, and to the real kmod. */
class MountedTreeTest {
    private static final SyntheticKernel KERNEL = SyntheticKernel.BASIC;

    @TempDir
    static Path work;
    static Path source;
    static Path root;
    static Path mountPoint;
    static Bundle bundle;
    static FuseMount mount;
    static final List<String> log = new java.util.concurrent.CopyOnWriteArrayList<>();

    @BeforeAll
    static void mount() throws Exception {
        FuseAvailability.require();
        source = SyntheticKernels.moduleDir(KERNEL);
        Path bundlePath = work.resolve("basic.kpack");
        Packer.pack(source, bundlePath, PackOptions.defaults().withBlockSize(64 << 10), PackProgress.NONE);
        root = work.resolve("root");
        mountPoint = Files.createDirectories(root.resolve("lib/modules/" + KERNEL.kernelVersion()));
        bundle = Bundle.open(bundlePath);
        mount = FuseMount.start(bundle, mountPoint, bundlePath.toString(), FuseMount.Options.defaults(), log::add,
                10_000);
    }

    @AfterAll
    static void unmount() throws IOException {
        if (mount != null) {
            mount.close();
        }
        if (bundle != null) {
            bundle.close();
        }
    }

    @Test
    void diffFindsNoDifference() throws Exception {
        Run diff = run("diff", "-r", "--no-dereference", source.toString(), mountPoint.toString());
        assertEquals(0, diff.exit, diff.output);
    }

    @Test
    void everyAttributeMatchesTheSource() throws IOException {
        TreeAssertions.assertSameTree(source, mountPoint, true);
    }

    @Test
    void procMountsNamesTheBundleAndTheType() throws IOException {
        assertEquals("fuse.kmodpack", MountTable.typeAt(mountPoint).orElseThrow());
        String mounts = Files.readString(Path.of("/proc/mounts"));
        assertTrue(mounts.lines().anyMatch(l -> l.startsWith(work.resolve("basic.kpack") + " " + mountPoint
                + " fuse.kmodpack ro,")), mounts);
    }

    @Test
    void realModprobeShowsTheSameDependenciesAsOnThePlainTree() throws Exception {
        List<String> modules = moduleNames();
        List<String> mounted = new ArrayList<>(List.of("modprobe", "-d", root.toString(), "-S",
                KERNEL.kernelVersion(), "-D", "-a"));
        mounted.addAll(modules);
        List<String> plain = new ArrayList<>(mounted);
        plain.set(2, SyntheticKernels.root(KERNEL).toString());
        Run onMount = run(mounted.toArray(String[]::new));
        Run onPlain = run(plain.toArray(String[]::new));
        assertEquals(onPlain.exit, onMount.exit, onMount.output);
        assertEquals(onPlain.output.replace(SyntheticKernels.root(KERNEL).toString(), root.toString()),
                onMount.output);
        assertTrue(onMount.output.contains("insmod "), onMount.output);
    }

    @Test
    void realModinfoAndDepmodAnswerAsOnThePlainTree() throws Exception {
        for (String module : moduleNames()) {
            Run onMount = run("modinfo", "-b", root.toString(), "-k", KERNEL.kernelVersion(), module);
            Run onPlain = run("modinfo", "-b", SyntheticKernels.root(KERNEL).toString(), "-k",
                    KERNEL.kernelVersion(), module);
            assertEquals(onPlain.output.replace(SyntheticKernels.root(KERNEL).toString(), root.toString()),
                    onMount.output, module);
        }
        Run depmodMount = run("depmod", "-n", "-b", root.toString(), KERNEL.kernelVersion());
        Run depmodPlain = run("depmod", "-n", "-b", SyntheticKernels.root(KERNEL).toString(), KERNEL.kernelVersion());
        assertEquals(0, depmodMount.exit, depmodMount.output);
        assertEquals(depmodPlain.output.lines().filter(l -> !l.startsWith("#")).sorted().toList(),
                depmodMount.output.lines().filter(l -> !l.startsWith("#")).sorted().toList());
    }

    @Test
    void sixteenReadersReadingTheWholeTreeThreeTimesSeeTheSourceBytes() throws Exception {
        List<Path> files;
        try (Stream<Path> walk = Files.walk(source)) {
            files = walk.filter(p -> Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)).toList();
        }
        ExecutorService readers = Executors.newFixedThreadPool(16);
        try {
            List<Future<Integer>> mismatches = new ArrayList<>();
            for (int r = 0; r < 16; r++) {
                mismatches.add(readers.submit(() -> {
                    int bad = 0;
                    for (int pass = 0; pass < 3; pass++) {
                        for (Path file : files) {
                            Path mounted = mountPoint.resolve(source.relativize(file).toString());
                            if (Files.mismatch(file, mounted) != -1) {
                                bad++;
                            }
                        }
                    }
                    return bad;
                }));
            }
            for (Future<Integer> m : mismatches) {
                assertEquals(0, m.get());
            }
        } finally {
            readers.shutdownNow();
        }
    }

    @Test
    void everyChangeIsRefusedAsReadOnly() {
        Path existing = mountPoint.resolve("modules.dep");
        for (IoAction change : List.<IoAction>of(
                () -> Files.createFile(mountPoint.resolve("new-file")),
                () -> Files.createDirectory(mountPoint.resolve("new-dir")),
                () -> Files.writeString(existing, "x"),
                () -> Files.delete(existing),
                () -> Files.move(existing, mountPoint.resolve("moved")),
                () -> Files.setAttribute(existing, "unix:mode", 0777),
                () -> Files.setLastModifiedTime(existing, java.nio.file.attribute.FileTime.fromMillis(0)),
                () -> Files.createSymbolicLink(mountPoint.resolve("link"), existing))) {
            FileSystemException e = assertThrows(FileSystemException.class, change::run);
            assertTrue(String.valueOf(e.getReason()).contains("Read-only file system"), e.toString());
        }
    }

    @Test
    void filesReadWholeThroughTheMountEqualTheSource() throws IOException {
        assertArrayEquals(Files.readAllBytes(source.resolve("modules.dep.bin")),
                Files.readAllBytes(mountPoint.resolve("modules.dep.bin")));
        assertEquals(Files.readSymbolicLink(source.resolve("build")), Files.readSymbolicLink(mountPoint.resolve("build")));
    }

    interface IoAction {
        void run() throws IOException;
    }

    record Run(int exit, String output) {
    }

    static Run run(String... command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        return new Run(process.waitFor(), output);
    }

    /** Every module depmod indexed, by the name modprobe takes. */
    static List<String> moduleNames() throws IOException {
        return Files.readAllLines(source.resolve("modules.dep")).stream()
                .map(line -> line.substring(0, line.indexOf(':')))
                .map(path -> path.substring(path.lastIndexOf('/') + 1))
                .map(name -> name.substring(0, name.indexOf('.')).replace('-', '_'))
                .toList();
    }
}
