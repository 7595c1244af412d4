package org.kmodpack.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.kmodpack.fuse.FuseMount;
import org.kmodpack.fuse.MountTable;
import org.kmodpack.reader.Bundle;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "mount", mixinStandardHelpOptions = true,
        description = {"Mount a bundle read-only where its module tree belongs, for kmod and the kernel to use.",
            "Returns once the tree answers; the daemon keeps serving until 'kmodpack umount', SIGTERM or SIGINT."},
        footer = {"", "Examples:", "  kmodpack mount /boot/modules-6.1.0-28-amd64.kpack --allow-unsigned",
            "  kmodpack mount modules.kpack /mnt/modules --foreground --allow-unsigned"})
final class MountCommand implements Callable<Integer> {
    /** Small and steady: a serial collector and bounded heap keep the daemon's anonymous memory low. */
    private static final List<String> DAEMON_JVM_OPTIONS = List.of("-XX:+UseSerialGC", "-Xms16m", "-Xmx96m",
            "-Xss512k", "-XX:MaxMetaspaceSize=64m", "-XX:ReservedCodeCacheSize=32m",
            "-XX:-UsePerfData", "-Dfile.encoding=UTF-8", "-Dsun.jnu.encoding=UTF-8");

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "BUNDLE")
    Path bundlePath;

    @Parameters(index = "1", paramLabel = "MOUNTPOINT", arity = "0..1",
            description = "Where to mount (default: /lib/modules/KVER, created if absent).")
    Path mountPoint;

    @picocli.CommandLine.Mixin
    SystemTrustOptions trust;

    @Option(names = "--foreground", description = "Serve in this process instead of a background daemon.")
    boolean foreground;

    @Option(names = "-o", paramLabel = "FUSE_OPTIONS", split = ",",
            description = "Extra libfuse mount options, comma-separated (e.g. max_read=131072).")
    List<String> fuseOptions = new ArrayList<>();

    @Option(names = "--cache-size", paramLabel = "SIZE", defaultValue = "32M",
            description = "Memory for decompressed blocks (default 32M).")
    String cacheSize;

    @Option(names = "--multi-threaded", description = "Let libfuse serve requests from several threads.")
    boolean multiThreaded;

    @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "30",
            description = "How long to wait for the mount to answer before giving up (default 30; a JVM starting "
                    + "on a slow board, e.g. under emulation, may need more).")
    int timeoutSeconds;

    @Option(names = "--log", paramLabel = "FILE",
            description = "Where the daemon writes its messages (default: /run/kmodpack/MOUNTPOINT.log).")
    Path logFile;

    @Override
    public Integer call() throws Exception {
        long timeoutMillis = timeoutMillis();
        if (!foreground) {
            // The daemon opens and verifies the bundle itself; doing it here as well would only delay the mount.
            // Its refusal reaches the user through the log, which startDaemon prints when the daemon gives up.
            Path target = mountPoint != null ? mountPoint : Path.of("/lib/modules", kernelVersion());
            prepare(target);
            return startDaemon(target, timeoutMillis);
        }
        Bundle bundle = trust.open(bundlePath, Sizes.parse(cacheSize));
        Path target = mountPoint != null ? mountPoint : Path.of("/lib/modules", bundle.kernelVersion());
        try {
            prepare(target);
        } catch (IOException e) {
            bundle.close();
            throw e;
        }
        return serve(bundle, target, timeoutMillis);
    }

    private String kernelVersion() throws IOException {
        try (Bundle bundle = Bundle.open(bundlePath)) {
            return bundle.kernelVersion();
        }
    }

    private void prepare(Path target) throws IOException {
        if (MountTable.typeAt(target).filter(type -> type.equals("fuse.kmodpack")).isPresent()) {
            throw new IOException(target + " already has a kmodpack mount; 'kmodpack umount " + target + "' first");
        }
        Files.createDirectories(target);
        noteHiddenEntries(target);
    }

    private int serve(Bundle bundle, Path target, long timeoutMillis) throws IOException, InterruptedException {
        PrintWriter err = spec.commandLine().getErr();
        FuseMount mount = FuseMount.start(bundle, target, bundlePath.toAbsolutePath().toString(),
                new FuseMount.Options(true, !multiThreaded, fuseOptions), line -> {
                    err.println(line);
                    err.flush();
                }, timeoutMillis);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                mount.close();
            } catch (IOException e) {
                err.println("kmodpack: " + e.getMessage());
                err.flush();
            }
        }, "kmodpack-unmount"));
        err.println("kmodpack: serving " + bundlePath + " at " + target);
        err.flush();
        mount.awaitUnmounted();
        bundle.close();
        return 0;
    }

    /**
     * Starts this command again with --foreground in a new session (so the terminal's signals and hangup do
     * not reach it) and returns once the mount answers, or reports why the daemon gave up.
     */
    private int startDaemon(Path target, long timeoutMillis) throws IOException, InterruptedException {
        Path log = logFile != null ? logFile : defaultLog(target);
        Files.createDirectories(log.toAbsolutePath().getParent());
        List<String> command = new ArrayList<>(List.of("setsid",
                ProcessHandle.current().info().command().orElse("java")));
        command.addAll(DAEMON_JVM_OPTIONS);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), Main.class.getName(), "mount",
                bundlePath.toAbsolutePath().toString(), target.toAbsolutePath().toString(), "--foreground",
                "--cache-size", cacheSize, "--timeout", String.valueOf(timeoutSeconds)));
        if (trust.allowUnsigned) {
            command.add("--allow-unsigned");
        }
        for (Path anchor : trust.signatures.trust) {
            command.addAll(List.of("--trust", anchor.toAbsolutePath().toString()));
        }
        command.addAll(List.of("--threshold", String.valueOf(trust.signatures.threshold), "--min-serial",
                String.valueOf(trust.signatures.minSerial)));
        if (trust.signatures.checkValidity) {
            command.add("--check-validity");
        }
        if (trust.signatures.allowExpired) {
            command.add("--allow-expired");
        }
        if (multiThreaded) {
            command.add("--multi-threaded");
        }
        if (!fuseOptions.isEmpty()) {
            command.addAll(List.of("-o", String.join(",", fuseOptions)));
        }
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
                .redirectOutput(ProcessBuilder.Redirect.to(log.toFile()))
                .redirectErrorStream(true);
        builder.environment().put("LC_ALL", "C.UTF-8");
        Process daemon = builder.start();
        long deadline = System.nanoTime() + timeoutMillis * 1_000_000;
        while (System.nanoTime() < deadline) {
            if (!daemon.isAlive()) {
                throw new IOException("mounting " + bundlePath + " at " + target + " failed: " + lastLines(log));
            }
            if (MountTable.typeAt(target).filter(type -> type.equals("fuse.kmodpack")).isPresent()
                    && Files.isDirectory(target)) {
                spec.commandLine().getOut().printf("%s mounted at %s (daemon pid %d, log %s)%n", bundlePath, target,
                        daemon.pid(), log);
                return 0;
            }
            Thread.sleep(5);
        }
        daemon.destroy();
        throw new IOException("mounting " + bundlePath + " at " + target + " did not answer within "
                + timeoutSeconds + " s (raise it with --timeout): " + lastLines(log));
    }

    private long timeoutMillis() {
        if (timeoutSeconds <= 0) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                    "--timeout must be a positive number of seconds, not " + timeoutSeconds);
        }
        return timeoutSeconds * 1000L;
    }

    private void noteHiddenEntries(Path target) throws IOException {
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(target)) {
            int count = 0;
            for (Path ignored : entries) {
                count++;
            }
            if (count > 0) {
                spec.commandLine().getErr().printf("kmodpack: note: the mount hides the %d entries now in %s "
                        + "until it is unmounted%n", count, target);
                spec.commandLine().getErr().flush();
            }
        }
    }

    private static Path defaultLog(Path target) {
        String name = target.toAbsolutePath().normalize().toString().replace('/', '-').replaceAll("^-", "") + ".log";
        Path run = Path.of("/run");
        return (Files.isWritable(run) ? run.resolve("kmodpack") : Path.of(System.getProperty("java.io.tmpdir"),
                "kmodpack-" + System.getProperty("user.name"))).resolve(name);
    }

    private static String lastLines(Path log) throws IOException {
        if (!Files.exists(log)) {
            return "the daemon wrote nothing";
        }
        List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8).stream()
                .map(line -> line.startsWith("kmodpack: ") ? line.substring("kmodpack: ".length()) : line).toList();
        return String.join(" / ", lines.subList(Math.max(0, lines.size() - 3), lines.size()));
    }
}
