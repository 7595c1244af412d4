package org.kmodpack.fuse;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.kmodpack.format.EntryRecord;
import org.kmodpack.format.Header;
import org.kmodpack.format.IndexRegion;
import org.kmodpack.packer.PackOptions;
import org.kmodpack.packer.PackProgress;
import org.kmodpack.packer.Packer;
import org.kmodpack.reader.Bundle;
import org.kmodpack.reader.ByteSource;
import org.kmodpack.reader.Entry;
import org.kmodpack.reader.RemoteOptions;
import org.kmodpack.testkernels.Bytes;
import org.kmodpack.testkernels.Nginx;
import org.kmodpack.testkernels.SyntheticKernel;
import org.kmodpack.testkernels.SyntheticKernels;

/**
 * A bundle mounted straight from nginx on 127.0.0.1, over HTTP and over HTTPS with a test CA: the tree kmod sees
 * is the packed tree, a byte the server changes fails only the files of its block, and a server that dies or
 * stalls fails reads with EIO within the timeout while blocks already fetched keep serving.
 */
class RemoteMountTest {
    private static final int BLOCK = 16 << 10;
    private static final Duration TIMEOUT = Duration.ofSeconds(4);

    @TempDir
    static Path work;
    static Path source;
    static Path plainRoot;
    static String kernelVersion;
    static Path served;
    static IndexRegion index;

    @TempDir
    Path testWork;
    final List<String> log = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void pack() throws Exception {
        FuseAvailability.require();
        source = SyntheticKernels.moduleDir(SyntheticKernel.BASIC);
        kernelVersion = source.getFileName().toString();
        plainRoot = source.getParent().getParent().getParent();
        served = Files.createDirectories(work.resolve("www"));
        Path bundle = served.resolve("basic.kpack");
        Packer.pack(source, bundle, PackOptions.defaults().withBlockSize(BLOCK), PackProgress.NONE);
        index = readIndex(bundle);
    }

    @ParameterizedTest(name = "tls={0}")
    @ValueSource(booleans = {false, true})
    void theMountedRemoteTreeIsTheSourceToDiffAndToModprobe(boolean tls) throws Exception {
        try (Nginx server = start(tls); Mounted mounted = mount(server, "basic.kpack")) {
            List<Nginx.Request> opening = server.requests();
            assertEquals(List.of("bytes=0-" + (Header.SIZE - 1)), opening.subList(0, 1).stream()
                    .map(Nginx.Request::range).toList(), "the header first");
            assertEquals(2, opening.size(), "header, then index and signature block in one request: " + opening);

            MountedTreeTest.Run diff = MountedTreeTest.run("diff", "-r", "--no-dereference", source.toString(), mounted.moduleDir.toString());
            assertEquals(0, diff.exit(), diff.output());

            List<String> command = new ArrayList<>(List.of("modprobe", "-d", mounted.root.toString(), "-S",
                    kernelVersion, "-D", "-a"));
            command.addAll(MountedTreeTest.moduleNames(source));
            MountedTreeTest.Run onMount = MountedTreeTest.run(command.toArray(String[]::new));
            command.set(2, plainRoot.toString());
            MountedTreeTest.Run onPlain = MountedTreeTest.run(command.toArray(String[]::new));
            assertEquals(onPlain.exit(), onMount.exit(), onMount.output());
            assertEquals(onPlain.output().replace(plainRoot.toString(), mounted.root.toString()), onMount.output());
            assertTrue(onMount.output().contains("insmod "), onMount.output());
            assertTrue(server.requests().stream().allMatch(r -> r.status() == 206), server.requests().toString());
        }
    }

    @ParameterizedTest(name = "tls={0}")
    @ValueSource(booleans = {false, true})
    void aByteTheServerChangesFailsOnlyTheFilesOfItsBlock(boolean tls) throws Exception {
        Entry victim;
        List<Entry> files;
        try (Bundle bundle = Bundle.open(served.resolve("basic.kpack"))) {
            files = bundle.entries().stream().filter(e -> e.isFile() && e.size() > 0).toList();
            victim = bundle.get("modules.dep");
        }
        int damaged = (int) (index.tree().entry(victim.index()).ref() / BLOCK);
        Path tampered = served.resolve("tampered-" + tls + ".kpack");
        Files.copy(served.resolve("basic.kpack"), tampered);
        Bytes.flip(tampered, index.block(damaged).offset() + index.block(damaged).storedLength() / 2, 0x10);

        try (Nginx server = start(tls); Mounted mounted = mount(server, tampered.getFileName().toString())) {
            int refused = 0;
            for (Entry file : files) {
                Path path = mounted.moduleDir.resolve(file.path());
                if (holds(file, damaged)) {
                    IOException e = assertThrows(IOException.class, () -> Files.readAllBytes(path), file.path());
                    assertTrue(e.getMessage().contains("Input/output error"), e.toString());
                    refused++;
                } else {
                    assertArrayEquals(Files.readAllBytes(source.resolve(file.path())), Files.readAllBytes(path),
                            file.path());
                }
            }
            assertTrue(refused >= 1);
            assertTrue(log.stream().anyMatch(line -> line.contains("block " + damaged)
                    && line.contains("fails its SHA-256 check")), log.toString());
        }
    }

    @Test
    void aServerKilledWhileAReadIsInFlightFailsItWithinTheTimeoutAndFetchedBlocksStillServe() throws Exception {
        try (Nginx server = start(false); Mounted mounted = mount(server, "basic.kpack")) {
            // Two files of one block: reading the first fetches the block, the second is then served from it.
            Entry[] pair = twoFilesOfOneBlock();
            assertArrayEquals(Files.readAllBytes(source.resolve(pair[0].path())),
                    Files.readAllBytes(mounted.moduleDir.resolve(pair[0].path())));

            server.pause();
            Entry uncached = largestFileOutside(blockOf(pair[0]));
            CompletableFuture<Long> failedAfter = readExpectingEio(mounted.moduleDir.resolve(uncached.path()));
            Thread.sleep(1000);
            assertTrue(!failedAfter.isDone(), "the read waits on the stopped server");
            long killedAt = System.nanoTime();
            server.kill();
            long failedAt = failedAfter.get(TIMEOUT.toSeconds() + 10, TimeUnit.SECONDS);
            assertTrue(failedAt > 0, "the read of " + uncached.path() + " fails with EIO");
            assertTrue(failedAt - killedAt <= TIMEOUT.toNanos(), "within the timeout of the kill: "
                    + (failedAt - killedAt) / 1e9 + " s");
            assertTrue(log.stream().anyMatch(line -> line.contains(server.url("basic.kpack"))
                    && line.contains("block ") && line.contains(uncached.path())), log.toString());

            assertArrayEquals(Files.readAllBytes(source.resolve(pair[1].path())),
                    Files.readAllBytes(mounted.moduleDir.resolve(pair[1].path())),
                    "a file never read before, in a block fetched before the kill");
        }
    }

    @Test
    void aStalledServerFailsAReadWithinTheTimeoutAndTheSameReadWorksOnceItAnswers() throws Exception {
        try (Nginx server = start(true); Mounted mounted = mount(server, "basic.kpack")) {
            Entry file = largestFileOutside(-1);
            server.pause();
            long start = System.nanoTime();
            long failedAt = readExpectingEio(mounted.moduleDir.resolve(file.path()))
                    .get(TIMEOUT.toSeconds() + 10, TimeUnit.SECONDS);
            server.resume();
            assertTrue(failedAt > 0, "the read of " + file.path() + " fails with EIO");
            assertTrue(failedAt - start <= TIMEOUT.plusSeconds(1).toNanos(), "within the timeout: "
                    + (failedAt - start) / 1e9 + " s");
            // A failed fetch fails again at once for a second (the kernel's immediate re-read), then is retried.
            Thread.sleep(1100);
            assertArrayEquals(Files.readAllBytes(source.resolve(file.path())),
                    Files.readAllBytes(mounted.moduleDir.resolve(file.path())), "the fetch is tried again");
        }
    }

    /** Reads {@code path} on another thread; completes with System.nanoTime() at an EIO, or a negative number. */
    private static CompletableFuture<Long> readExpectingEio(Path path) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                Files.readAllBytes(path);
                return -1L;
            } catch (IOException e) {
                return e.getMessage().contains("Input/output error") ? System.nanoTime() : -2L;
            }
        });
    }

    private Nginx start(boolean tls) throws IOException {
        Path serverWork = Files.createDirectories(testWork.resolve("nginx"));
        return tls ? Nginx.https(served, serverWork) : Nginx.http(served, serverWork);
    }

    private record Mounted(Bundle bundle, FuseMount mount, Path root, Path moduleDir) implements AutoCloseable {
        @Override
        public void close() throws IOException {
            try {
                mount.close();
            } finally {
                bundle.close();
            }
        }
    }

    private Mounted mount(Nginx server, String path) throws IOException {
        RemoteOptions options = new RemoteOptions(
                server.url("").startsWith("https") ? Optional.of(server.caCertificate()) : Optional.empty(),
                TIMEOUT, 3, Optional.empty(), 0);
        String url = server.url(path);
        Bundle bundle = Bundle.open(ByteSource.open(url, options), Bundle.DEFAULT_CACHE_BYTES);
        Path root = testWork.resolve("root");
        Path moduleDir = Files.createDirectories(root.resolve("lib/modules/" + kernelVersion));
        try {
            return new Mounted(bundle, FuseMount.start(bundle, moduleDir, url, FuseMount.Options.defaults(),
                    log::add, 10_000), root, moduleDir);
        } catch (IOException | RuntimeException e) {
            bundle.close();
            throw e;
        }
    }

    private static boolean holds(Entry file, int block) {
        EntryRecord record = index.tree().entry(file.index());
        return record.ref() / BLOCK <= block && block <= (record.ref() + record.size() - 1) / BLOCK;
    }

    private static long blockOf(Entry file) {
        return index.tree().entry(file.index()).ref() / BLOCK;
    }

    private static Entry[] twoFilesOfOneBlock() throws IOException {
        try (Bundle bundle = Bundle.open(served.resolve("basic.kpack"))) {
            List<Entry> small = bundle.entries().stream().filter(e -> e.isFile() && e.size() > 0
                    && e.size() < BLOCK / 4).toList();
            for (int i = 0; i + 1 < small.size(); i++) {
                if (blockOf(small.get(i)) == blockOf(small.get(i + 1)) && holds(small.get(i + 1), (int) blockOf(
                        small.get(i))) && !holds(small.get(i), (int) blockOf(small.get(i)) + 1)
                        && !holds(small.get(i + 1), (int) blockOf(small.get(i)) - 1)) {
                    return new Entry[] {small.get(i), small.get(i + 1)};
                }
            }
        }
        throw new AssertionError("no two small files share a block");
    }

    private static Entry largestFileOutside(long block) throws IOException {
        try (Bundle bundle = Bundle.open(served.resolve("basic.kpack"))) {
            return bundle.entries().stream().filter(e -> e.isFile() && !holds(e, (int) block))
                    .max(java.util.Comparator.comparingLong(Entry::size)).orElseThrow();
        }
    }

    private static IndexRegion readIndex(Path bundle) throws IOException {
        try (Bundle opened = Bundle.open(bundle)) {
            return opened.index();
        }
    }
}
