package org.kmodpack.cli;

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
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.kmodpack.format.Header;
import org.kmodpack.fuse.MountTable;
import org.kmodpack.fuse.Unmount;
import org.kmodpack.reader.Bundle;
import org.kmodpack.reader.ByteSource;
import org.kmodpack.reader.Entry;
import org.kmodpack.reader.RemoteOptions;
import org.kmodpack.testkernels.Nginx;

/**
 * Every command that reads a bundle takes an https:// URL where it takes a file and answers as for the file;
 * what cannot be read is one line naming the URL. Served by nginx on 127.0.0.1 with a test CA.
 */
class RemoteCliTest {
    @TempDir
    static Path work;
    static BasicBundle basic;
    @AutoClose
    static Nginx server;
    static String url;
    static String ca;
    static Path cache;

    @BeforeAll
    static void serve() throws IOException {
        Path www = Files.createDirectories(work.resolve("www"));
        basic = BasicBundle.packSigned(www.resolve("basic.kpack"), work.resolve("release"));
        server = Nginx.https(www, Files.createDirectories(work.resolve("nginx")));
        url = server.url("basic.kpack");
        ca = server.caCertificate().toString();
        cache = work.resolve("cache");
    }

    @Test
    void verifyChecksTheSignatureAndEveryBlockOfTheRemoteBundle() throws IOException {
        Path own = work.resolve("verify-cache");
        CliTest.Run verify = CliTest.run("verify", url, "--ca", ca, "--trust", basic.publicKey(), "--cache-dir",
                own.toString());
        assertEquals(0, verify.exit(), verify.err());
        assertTrue(!cachedBlocks(own).isEmpty(), "verify fills the block cache");
        assertTrue(verify.out().contains("bundle:      " + url), verify.out());
        assertTrue(verify.out().contains("match their SHA-256"), verify.out());
        assertTrue(verify.out().contains("every byte matches what they signed"), verify.out());
    }

    @Test
    void readingCommandsAnswerAsForTheFile() throws IOException {
        Path extracted = work.resolve("extracted");
        for (List<String> command : List.of(
                List.of("ls", "BUNDLE", "kernel"),
                List.of("cat", "BUNDLE", "modules.dep"),
                List.of("info", "BUNDLE", "--json"),
                List.of("modinfo", "BUNDLE", "chain_d"),
                List.of("modprobe", "BUNDLE", "-D", "-a", "chain_d", "chain_a"),
                List.of("modprobe", "BUNDLE", "-n", "-v", "chain_a", "--trust", basic.publicKey()),
                List.of("extract", "BUNDLE", extracted.toString()))) {
            CliTest.Run remote = CliTest.run(substitute(command, url, true));
            CliTest.Run file = "extract".equals(command.get(0)) ? remote
                    : CliTest.run(substitute(command, basic.bundle().toString(), false));
            assertEquals(0, remote.exit(), command + ": " + remote.err());
            assertEquals(file.out().replace(basic.bundle().toString(), url), remote.out(), command.toString());
            assertArrayEquals(file.stdout(), remote.stdout(), command.toString());
        }
        CliTest.Run diff = run("diff", "-r", "--no-dereference", basic.tree().toString(), extracted.toString());
        assertEquals(0, diff.exit(), diff.out());
    }

    @Test
    void initramfsFromTheRemoteBundleIsTheOneFromTheFile() throws IOException {
        Path fromFile = work.resolve("file.cpio");
        Path fromUrl = work.resolve("url.cpio");
        assertEquals(0, CliTest.run("initramfs", basic.bundle().toString(), "chain_a", "-o", fromFile.toString(),
                "--trust", basic.publicKey()).exit());
        CliTest.Run remote = CliTest.run("initramfs", url, "chain_a", "-o", fromUrl.toString(), "--ca", ca,
                "--trust", basic.publicKey(), "--cache-dir", cache.toString());
        assertEquals(0, remote.exit(), remote.err());
        assertArrayEquals(Files.readAllBytes(fromFile), Files.readAllBytes(fromUrl));
    }

    @Test
    void whatCannotBeFetchedIsOneLineNamingTheUrl() throws IOException {
        CliTest.Run untrusted = CliTest.run("info", url, "--cache-dir", cache.toString());
        assertEquals(1, untrusted.exit());
        assertOneLine(untrusted, url, "--ca FILE");

        String missing = server.url("missing.kpack");
        CliTest.Run notFound = CliTest.run("info", missing, "--ca", ca, "--cache-dir", cache.toString());
        assertEquals(1, notFound.exit());
        assertOneLine(notFound, missing, "HTTP 404");

        String refused = "http://127.0.0.1:" + closedPort() + "/basic.kpack";
        CliTest.Run noServer = CliTest.run("ls", refused, "--timeout", "3", "--cache-dir", cache.toString());
        assertEquals(1, noServer.exit());
        assertOneLine(noServer, refused, "connection refused");

        // A server that goes away after the index: verify names the URL and the block it could not fetch.
        Nginx leaving = Nginx.http(basic.bundle().getParent(), Files.createDirectories(work.resolve("nginx-leaving")));
        String leavingUrl = leaving.url("basic.kpack");
        try (Bundle opened = Bundle.open(ByteSource.open(leavingUrl, new RemoteOptions(Optional.empty(),
                Duration.ofSeconds(3), 1, Optional.empty(), 0)), 0)) {
            leaving.kill();
            IOException e = assertThrows(IOException.class, opened::verifyBlockHashes);
            assertTrue(e.getMessage().startsWith(leavingUrl + ": block 0: bytes "), e.getMessage());
            assertTrue(e.getMessage().contains("connection refused"), e.getMessage());
        } finally {
            leaving.close();
        }
    }

    @Test
    void verifyOfABundleWithAByteChangedOnTheServerFailsNamingTheUrlAndTheBlock() throws IOException {
        Path tampered = basic.bundle().resolveSibling("tampered.kpack");
        byte[] bytes = Files.readAllBytes(basic.bundle());
        // Block 0 starts right after the header.
        bytes[Header.SIZE + 16] ^= 0x10;
        Files.write(tampered, bytes);
        String tamperedUrl = server.url("tampered.kpack");
        CliTest.Run verify = CliTest.run("verify", tamperedUrl, "--ca", ca, "--trust", basic.publicKey(), "--cache-dir",
                work.resolve("tampered-cache").toString());
        assertEquals(1, verify.exit(), verify.out());
        assertOneLine(verify, tamperedUrl, "block 0 fails its SHA-256 check");
    }

    @Test
    void blocksComeFromTheCacheTheSecondTimeAndADamagedCachedBlockIsFetchedAgain() throws IOException {
        Path own = work.resolve("own-cache");
        String[] cat = {"cat", url, "modules.dep", "--ca", ca, "--cache-dir", own.toString()};
        byte[] expected = Files.readAllBytes(basic.tree().resolve("modules.dep"));
        server.clearLog();
        CliTest.Run first = CliTest.run(cat);
        assertArrayEquals(expected, first.stdout(), first.err());
        assertTrue(server.requests().size() > 2, "header, index, then the blocks: " + server.requests());
        List<Path> cached = cachedBlocks(own);
        assertTrue(!cached.isEmpty());

        server.clearLog();
        CliTest.Run second = CliTest.run(cat);
        assertArrayEquals(expected, second.stdout(), second.err());
        assertEquals(2, server.requests().size(), "only the header and the index: " + server.requests());

        for (Path block : cached) {
            byte[] bytes = Files.readAllBytes(block);
            bytes[bytes.length / 2] ^= 0x01;
            Files.write(block, bytes);
        }
        server.clearLog();
        CliTest.Run third = CliTest.run(cat);
        assertArrayEquals(expected, third.stdout(), third.err());
        assertEquals(2 + cached.size(), server.requests().size(), "every damaged block again: " + server.requests());
    }

    @Test
    void aBlockFetchedAndReadAtOnceComesFromTheServerOnce() throws Exception {
        RemoteOptions remote = new RemoteOptions(Optional.of(Path.of(ca)), Duration.ofSeconds(30), 0,
                Optional.of(work.resolve("shared-fetch-cache")), 64 << 20);
        server.clearLog();
        try (Bundle bundle = Bundle.open(ByteSource.open(url, remote), 0)) {
            // As a mount does: a prefetch walks the blocks while a reader reads the files that hold them.
            CountDownLatch start = new CountDownLatch(1);
            ExecutorService both = Executors.newFixedThreadPool(2);
            try {
                Future<?> prefetch = both.submit(() -> {
                    start.await();
                    for (int block = 0; block < bundle.index().params().blockCount(); block++) {
                        bundle.fetchBlock(block);
                    }
                    return null;
                });
                Future<?> reads = both.submit(() -> {
                    start.await();
                    for (Entry entry : bundle.entries()) {
                        if (entry.isFile()) {
                            assertArrayEquals(Files.readAllBytes(basic.tree().resolve(entry.path())),
                                    bundle.readAllBytes(entry), entry.path());
                        }
                    }
                    return null;
                });
                start.countDown();
                prefetch.get();
                reads.get();
            } finally {
                both.shutdownNow();
            }
        }
        List<String> ranges = server.requests().stream().map(Nginx.Request::range).toList();
        List<String> twice = ranges.stream().filter(range -> ranges.indexOf(range) != ranges.lastIndexOf(range))
                .distinct().toList();
        assertEquals(List.of(), twice, "ranges asked for more than once, of " + ranges.size() + " requests");
    }

    @Test
    void withoutCacheDirTheBlocksGoWhereKmodpackCacheDirSays() throws IOException {
        // The build sets KMODPACK_CACHE_DIR for every test (pom.xml), as an image may for its users.
        Path configured = Path.of(System.getenv("KMODPACK_CACHE_DIR"));
        CliTest.Run cat = CliTest.run("cat", url, "modules.dep", "--ca", ca);
        assertEquals(0, cat.exit(), cat.err());
        List<Path> blocks = cachedBlocks(configured.resolve("sha256"));
        assertTrue(!blocks.isEmpty(), "no block cached in " + configured);
    }

    @Test
    void theCacheStaysWithinItsBound() throws IOException {
        Path bounded = work.resolve("bounded-cache");
        CliTest.Run extract = CliTest.run("extract", url, work.resolve("bounded-tree").toString(), "--ca", ca,
                "--cache-dir", bounded.toString(), "--cache-limit", "128K");
        assertEquals(0, extract.exit(), extract.err());
        long total = 0;
        for (Path block : cachedBlocks(bounded)) {
            total += Files.size(block);
        }
        assertTrue(total > 0 && total <= 128 << 10, total + " bytes cached");
    }

    private static List<Path> cachedBlocks(Path cacheDirectory) throws IOException {
        try (java.util.stream.Stream<Path> walk = Files.walk(cacheDirectory)) {
            return walk.filter(Files::isRegularFile).toList();
        }
    }

    @Test
    void mountServesTheRemoteTreeThroughTheLauncher() throws Exception {
        MountPoints.requireFuse();
        Path mountPoint = Files.createDirectories(work.resolve("mnt"));
        CliTest.Run mount = Launcher.kmodpack("mount", url, mountPoint.toString(), "--ca", ca, "--trust",
                basic.publicKey(), "--timeout", "10", "--cache-dir", cache.toString(), "--log",
                work.resolve("mount.log").toString());
        assertEquals(0, mount.exit(), mount.err());
        try {
            assertEquals(url, MountTable.at(mountPoint).orElseThrow().source());
            CliTest.Run diff = run("diff", "-r", "--no-dereference", basic.tree().toString(), mountPoint.toString());
            assertEquals(0, diff.exit(), diff.out());
        } finally {
            Unmount.unmount(mountPoint);
        }
    }

    private static String[] substitute(List<String> command, String bundle, boolean remote) {
        List<String> args = new ArrayList<>();
        for (String arg : command) {
            args.add(arg.equals("BUNDLE") ? bundle : arg);
        }
        if (remote) {
            args.addAll(List.of("--ca", ca, "--cache-dir", cache.toString()));
        }
        return args.toArray(String[]::new);
    }

    private static void assertOneLine(CliTest.Run run, String url, String words) {
        assertEquals(1, run.err().lines().count(), run.err());
        assertTrue(run.err().startsWith("kmodpack: " + url + ": "), run.err());
        assertTrue(run.err().contains(words), run.err());
    }

    private static int closedPort() throws IOException {
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0, 1,
                java.net.InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private static CliTest.Run run(String... command) throws IOException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(process.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        try {
            return new CliTest.Run(process.waitFor(), out, "", out.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException();
        }
    }
}
