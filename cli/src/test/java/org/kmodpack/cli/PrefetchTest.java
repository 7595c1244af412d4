package org.kmodpack.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.kmodpack.format.BlockRecord;
import org.kmodpack.format.Header;
import org.kmodpack.packer.PackOptions;
import org.kmodpack.packer.PackProgress;
import org.kmodpack.packer.Packer;
import org.kmodpack.reader.Bundle;
import org.kmodpack.testkernels.Bytes;
import org.kmodpack.testkernels.DebianKernels;
import org.kmodpack.testkernels.Nginx;

/**
 * {@code kmodpack mount --prefetch} of Debian's cloud kernel served by nginx on 127.0.0.1 (64 KiB blocks): beyond
 * the header and the index the mount reads, nginx's access log shows every block for {@code all}, the blocks of
 * kmod's index files for {@code index}, none for {@code none}, and for {@code devices} (the default) those of the
 * index files and of the module files real kmod's {@code modprobe -D} loads for this machine's modaliases (none
 * beyond the index files on a machine where no device resolves). A block the server changed stops the prefetch
 * with a line in the daemon's log, and the mount serves on.
 */
class PrefetchTest {
    private static final Pattern RANGE_START = Pattern.compile("bytes=(\\d+)-");
    private static final Pattern INSMOD = Pattern.compile("^insmod (\\S+)", Pattern.MULTILINE);

    @RegisterExtension
    final MountPoints mounted = new MountPoints();

    @TempDir
    static Path work;
    @AutoClose
    static Nginx server;
    static Path tree;
    static Path bundleFile;

    @BeforeAll
    static void serve() throws IOException {
        MountPoints.requireFuse();
        tree = DebianKernels.moduleDir("cloud");
        Path www = Files.createDirectories(work.resolve("www"));
        bundleFile = www.resolve("cloud.kpack");
        Packer.pack(tree, bundleFile, PackOptions.defaults().withBlockSize(64 << 10), PackProgress.NONE);
        server = Nginx.http(www, Files.createDirectories(work.resolve("nginx")));
    }

    @ParameterizedTest(name = "--prefetch {0}")
    @ValueSource(strings = {"devices", "all", "index", "none"})
    void theServerSendsTheBlocksThePrefetchAsksFor(String mode) throws Exception {
        Set<Long> expected = expectedBlockOffsets(mode);
        Path mountPoint = Files.createDirectories(work.resolve("mnt-" + mode));
        Path log = work.resolve("mount-" + mode + ".log");
        List<String> command = new ArrayList<>(List.of("mount", server.url("cloud.kpack"), mountPoint.toString(),
                "--allow-unsigned", "--timeout", "10", "--cache-dir", work.resolve("cache-" + mode).toString(),
                "--log", log.toString()));
        if (!mode.equals("devices")) {
            command.addAll(List.of("--prefetch", mode));
        }
        server.clearLog();
        CliTest.Run mount = Launcher.kmodpack(command.toArray(String[]::new));
        assertEquals(0, mount.exit(), mount.err());
        mounted.add(mountPoint);
        if (mode.equals("none")) {
            Thread.sleep(2000);
        } else {
            String done = awaitLine(log, "prefetch");
            assertTrue(done.startsWith("kmodpack: prefetched "), done);
        }
        assertEquals(expected, fetchedBlockOffsets(), "blocks fetched beyond the header and the index");
    }

    @Test
    void aBlockTheServerChangedStopsThePrefetchWithALineInTheLogAndTheMountServesOn() throws Exception {
        int damaged;
        String intact;
        Path tampered = bundleFile.resolveSibling("tampered.kpack");
        Files.copy(bundleFile, tampered);
        try (Bundle bundle = Bundle.open(bundleFile)) {
            damaged = bundle.blocksHolding(bundle.get("modules.dep.bin")).findFirst().orElseThrow();
            BlockRecord record = bundle.index().block(damaged);
            Bytes.flip(tampered, record.offset() + record.storedLength() / 2, 0x10);
            intact = bundle.entries().stream().filter(e -> e.isFile() && e.path().endsWith(".ko")
                    && bundle.blocksHolding(e).noneMatch(b -> b == damaged)).findFirst().orElseThrow().path();
        }
        Path mountPoint = Files.createDirectories(work.resolve("mnt-tampered"));
        Path log = work.resolve("mount-tampered.log");
        CliTest.Run mount = Launcher.kmodpack("mount", server.url("tampered.kpack"), mountPoint.toString(),
                "--allow-unsigned", "--timeout", "10", "--cache-dir", work.resolve("cache-tampered").toString(),
                "--log", log.toString(), "--prefetch", "all");
        assertEquals(0, mount.exit(), mount.err());
        mounted.add(mountPoint);
        String stopped = awaitLine(log, "prefetch");
        assertTrue(stopped.startsWith("kmodpack: ") && stopped.contains("block " + damaged + " fails its SHA-256 "
                + "check"), stopped);
        assertArrayEquals(Files.readAllBytes(tree.resolve(intact)), Files.readAllBytes(mountPoint.resolve(intact)),
                intact);
    }

    /** The file offsets of the blocks the prefetch of {@code mode} should fetch, worked out from the bundle file. */
    private static Set<Long> expectedBlockOffsets(String mode) throws IOException, InterruptedException {
        Set<Long> offsets = new TreeSet<>();
        try (Bundle bundle = Bundle.open(bundleFile)) {
            if (mode.equals("all")) {
                for (int block = 0; block < bundle.index().params().blockCount(); block++) {
                    offsets.add(bundle.index().block(block).offset());
                }
                return offsets;
            }
            if (mode.equals("none")) {
                return offsets;
            }
            List<String> files = new ArrayList<>(Prefetch.KMOD_INDEX_FILES);
            if (mode.equals("devices")) {
                files.addAll(modulesKmodLoadsForThisMachine());
            }
            for (String file : files) {
                bundle.find(file).ifPresent(entry -> bundle.blocksHolding(entry)
                        .forEach(block -> offsets.add(bundle.index().block(block).offset())));
            }
        }
        return offsets;
    }

    /** Real kmod's {@code modprobe -D} of every modalias under /sys on the unpacked tree: the module files it loads. */
    private static Set<String> modulesKmodLoadsForThisMachine() throws IOException, InterruptedException {
        List<String> aliases = output("sh", "-c", "{ find /sys/devices -name modalias -type f -exec cat {} +; "
                + "cat /sys/bus/*/devices/*/modalias; } 2>/dev/null | sort -u").lines()
                .filter(line -> !line.isBlank()).toList();
        Set<String> modules = new TreeSet<>();
        if (aliases.isEmpty()) {
            return modules;
        }
        Path root = tree.getParent().getParent().getParent();
        String kernelVersion = tree.getFileName().toString();
        List<String> command = new ArrayList<>(List.of("modprobe", "-d", root.toString(), "-S", kernelVersion,
                "-D", "-a"));
        command.addAll(aliases);
        String prefix = root + "/lib/modules/" + kernelVersion + "/";
        Matcher insmod = INSMOD.matcher(output(command.toArray(String[]::new)));
        while (insmod.find()) {
            assertTrue(insmod.group(1).startsWith(prefix), insmod.group(1));
            modules.add(insmod.group(1).substring(prefix.length()));
        }
        return modules;
    }

    /** The start of every range nginx sent, but the header's and the index's, which the mount itself reads. */
    private static Set<Long> fetchedBlockOffsets() throws IOException {
        long indexOffset = Header.SIZE;
        try (Bundle bundle = Bundle.open(bundleFile)) {
            indexOffset += bundle.info().storedDataLength();
        }
        Set<Long> offsets = new TreeSet<>();
        for (Nginx.Request request : server.requests()) {
            Matcher start = RANGE_START.matcher(request.range());
            assertTrue(start.find() && request.status() == 206, request.toString());
            offsets.add(Long.parseLong(start.group(1)));
        }
        offsets.remove(0L);
        offsets.remove(indexOffset);
        return offsets;
    }

    /** The first line of the daemon's log that holds {@code words}, waited for. */
    private static String awaitLine(Path log, String words) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + 120_000_000_000L;
        while (true) {
            String text = Files.readString(log);
            Optional<String> line = text.lines().filter(each -> each.contains(words)).findFirst();
            if (line.isPresent()) {
                return line.get();
            }
            assertTrue(System.nanoTime() < deadline, "no line with '" + words + "' in the log: " + text);
            Thread.sleep(100);
        }
    }

    private static String output(String... command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        process.waitFor();
        return out;
    }
}
