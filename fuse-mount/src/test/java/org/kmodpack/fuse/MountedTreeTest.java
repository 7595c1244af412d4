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
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.kmodpack.packer.PackOptions;
import org.kmodpack.packer.PackProgress;
import org.kmodpack.packer.Packer;
import org.kmodpack.reader.Bundle;
import org.kmodpack.testkernels.Figure;
import org.kmodpack.testkernels.Figures;
import org.kmodpack.testkernels.TreeAssertions;

/**
 * A tree mounted from its bundle is the tree: to diff, to Java, and to the real kmod tools, which run
 * unchanged over the mount and must print what they print for the plain tree.
 */
@ExtendWith(Figures.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class MountedTreeTest {
    static final Figure CONCURRENT_READS = new Figure("concurrent-reads", "files read through the mount by 16 "
            + "concurrent readers, 3 passes each over every regular file of the tree, compared with the source");
    static final Figure CONCURRENT_MISMATCHES = new Figure("concurrent-mismatches", "reads by the 16 concurrent "
            + "readers whose bytes differed from the source");

    Path work;
    Path source;
    Path plainRoot;
    String kernelVersion;
    Path root;
    Path mountPoint;
    Bundle bundle;
    FuseMount mount;
    final List<String> log = new java.util.concurrent.CopyOnWriteArrayList<>();

    /** The module directory to pack and mount: ROOT/lib/modules/KVER. */
    abstract Path moduleDirectory() throws IOException;

    @BeforeAll
    void mount(@TempDir Path temporary) throws Exception {
        FuseAvailability.require();
        work = temporary;
        source = moduleDirectory();
        kernelVersion = source.getFileName().toString();
        plainRoot = source.getParent().getParent().getParent();
        Path bundlePath = work.resolve("mounted.kpack");
        Packer.pack(source, bundlePath, PackOptions.defaults(), PackProgress.NONE);
        root = work.resolve("root");
        mountPoint = Files.createDirectories(root.resolve("lib/modules/" + kernelVersion));
        bundle = Bundle.open(bundlePath);
        mount = FuseMount.start(bundle, mountPoint, bundlePath.toString(), FuseMount.Options.defaults(), log::add,
                10_000);
    }

    @AfterAll
    void unmount() throws IOException {
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
        assertTrue(mounts.lines().anyMatch(l -> l.startsWith(work.resolve("mounted.kpack") + " " + mountPoint
                + " fuse.kmodpack ro,")), mounts);
    }

    @Test
    void realModprobeShowsTheSameDependenciesAsOnThePlainTree() throws Exception {
        List<String> modules = moduleNames();
        List<String> mounted = new ArrayList<>(List.of("modprobe", "-d", root.toString(), "-S",
                kernelVersion, "-D", "-a"));
        mounted.addAll(modules);
        List<String> plain = new ArrayList<>(mounted);
        plain.set(2, plainRoot.toString());
        Run onMount = run(mounted.toArray(String[]::new));
        Run onPlain = run(plain.toArray(String[]::new));
        assertEquals(onPlain.exit, onMount.exit, onMount.output);
        assertEquals(onPlain.output.replace(plainRoot.toString(), root.toString()), onMount.output);
        assertTrue(onMount.output.contains("insmod "), onMount.output);
    }

    @Test
    void realModinfoAndDepmodAnswerAsOnThePlainTree() throws Exception {
        for (String module : moduleNames()) {
            Run onMount = run("modinfo", "-b", root.toString(), "-k", kernelVersion, module);
            Run onPlain = run("modinfo", "-b", plainRoot.toString(), "-k", kernelVersion, module);
            assertEquals(onPlain.output.replace(plainRoot.toString(), root.toString()), onMount.output, module);
        }
        Run depmodMount = run("depmod", "-n", "-b", root.toString(), kernelVersion);
        Run depmodPlain = run("depmod", "-n", "-b", plainRoot.toString(), kernelVersion);
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
                            CONCURRENT_READS.increment();
                        }
                    }
                    return bad;
                }));
            }
            for (Future<Integer> m : mismatches) {
                CONCURRENT_MISMATCHES.add(m.get());
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
        assertEveryChangeRefused(mountPoint);
    }

    @Test
    void aWritableMountAskedForStaysReadOnly() throws IOException {
        Path second = Files.createDirectories(work.resolve("asked-rw"));
        try (FuseMount writable = FuseMount.start(bundle, second, "asked-rw.kpack",
                new FuseMount.Options(false, true, List.of("rw")), log::add, 10_000)) {
            assertEveryChangeRefused(second);
        }
    }

    private static void assertEveryChangeRefused(Path mountPoint) {
        Path existing = mountPoint.resolve("modules.dep");
        for (IoAction change : List.<IoAction>of(
                () -> Files.createFile(mountPoint.resolve("new-file")),
                () -> Files.createDirectory(mountPoint.resolve("new-dir")),
                () -> Files.writeString(existing, "x"),
                () -> Files.delete(existing),
                () -> Files.move(existing, mountPoint.resolve("moved")),
                () -> Files.setAttribute(existing, "unix:mode", 0777),
                () -> Files.setLastModifiedTime(existing, java.nio.file.attribute.FileTime.fromMillis(0)),
                () -> Files.createSymbolicLink(mountPoint.resolve("link"), existing),
                () -> Files.createLink(mountPoint.resolve("hard-link"), existing),
                () -> Files.setAttribute(existing, "user:kmodpack", java.nio.ByteBuffer.wrap(new byte[] {1})))) {
            FileSystemException e = assertThrows(FileSystemException.class, change::run);
            assertTrue(String.valueOf(e.getReason()).contains("Read-only file system"), e.toString());
        }
    }

    @Test
    void filesReadWholeThroughTheMountEqualTheSource() throws IOException {
        assertArrayEquals(Files.readAllBytes(source.resolve("modules.dep.bin")),
                Files.readAllBytes(mountPoint.resolve("modules.dep.bin")));
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
    List<String> moduleNames() throws IOException {
        return moduleNames(source);
    }

    /** Every module depmod indexed in module directory {@code source}, by the name modprobe takes. */
    static List<String> moduleNames(Path source) throws IOException {
        return Files.readAllLines(source.resolve("modules.dep")).stream()
                .map(line -> line.substring(0, line.indexOf(':')))
                .map(path -> path.substring(path.lastIndexOf('/') + 1))
                .map(name -> name.substring(0, name.indexOf('.')).replace('-', '_'))
                .toList();
    }
}
