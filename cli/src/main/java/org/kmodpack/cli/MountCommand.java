package org.kmodpack.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.kmodpack.fuse.FuseMount;
import org.kmodpack.fuse.KernelFuse;
import org.kmodpack.fuse.MountTable;
import org.kmodpack.fuse.Readiness;
import org.kmodpack.reader.Bundle;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * The mount daemon: this process opens and verifies the bundle, loads fuse from it when the kernel has none,
 * mounts, and serves until unmounted. Returning to the shell is the launcher's part: it starts this JVM in its
 * own session with {@value Readiness#READY_FD} and returns when the daemon says the tree answers; under systemd
 * ({@code Type=notify}) the daemon tells systemd instead. One JVM per mount, and it is the daemon.
 */
@Command(name = "mount", mixinStandardHelpOptions = true,
        description = {"Mount a bundle read-only where its module tree belongs, for kmod and the kernel to use.",
            "Returns once the tree answers; the daemon keeps serving until 'kmodpack umount', SIGTERM or SIGINT.",
            "If the kernel has no FUSE yet, fuse is loaded from the bundle (after its signature and blocks verify)."},
        footer = {"", "Examples:", "  kmodpack mount /boot/modules-6.1.0-28-amd64.kpack",
            "  kmodpack mount modules.kpack /mnt/modules --foreground --allow-unsigned"})
final class MountCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "BUNDLE")
    Path bundlePath;

    @Parameters(index = "1", paramLabel = "MOUNTPOINT", arity = "0..1",
            description = "An existing directory to mount on (default: /lib/modules/KVER, created if absent).")
    Path mountPoint;

    @picocli.CommandLine.Mixin
    SystemTrustOptions trust;

    @Option(names = "--foreground", description = "Serve in this process, attached to the terminal (and to "
            + "systemd: a Type=notify unit gets READY=1 once the tree answers).")
    boolean foreground;

    @Option(names = "-o", paramLabel = "FUSE_OPTIONS", split = ",",
            description = "Extra libfuse mount options, comma-separated (e.g. max_read=131072).")
    List<String> fuseOptions = new ArrayList<>();

    @Option(names = "--cache-size", paramLabel = "SIZE", defaultValue = "8M",
            description = "Memory for decompressed blocks (default 8M; the kernel's page cache keeps what was read).")
    String cacheSize;

    @Option(names = "--multi-threaded", description = "Let libfuse serve requests from several threads.")
    boolean multiThreaded;

    @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "30",
            description = "How long to wait for the mount to answer before giving up (default 30; a JVM starting "
                    + "on a slow board, e.g. under emulation, may need more).")
    int timeoutSeconds;

    @Option(names = "--log", paramLabel = "FILE",
            description = "Where the daemon writes its messages once mounted in the background "
                    + "(default: /run/kmodpack/MOUNTPOINT.log).")
    Path logFile;

    @Override
    public Integer call() throws Exception {
        long timeoutMillis = timeoutMillis();
        Bundle bundle = trust.open(bundlePath, Sizes.parse(cacheSize));
        Target target;
        try {
            target = target(bundle.kernelVersion());
        } catch (IOException | RuntimeException e) {
            bundle.close();
            throw e;
        }
        FuseMount mount;
        Path log;
        try {
            PrintWriter err = spec.commandLine().getErr();
            KernelFuse.ensure(bundle, line -> note(line));
            noteHiddenEntries(target.path());
            log = Readiness.launcherWaits() ? logFile(target.path()) : null;
            mount = FuseMount.start(bundle, target.path(), bundlePath.toAbsolutePath().toString(),
                    new FuseMount.Options(true, !multiThreaded, fuseOptions), line -> {
                        err.println(line);
                        err.flush();
                    }, timeoutMillis);
        } catch (IOException | RuntimeException e) {
            bundle.close();
            target.undo();
            throw e;
        }
        Readiness readiness = new Readiness();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            readiness.stopping();
            try {
                mount.close();
            } catch (IOException e) {
                System.err.println("kmodpack: " + e.getMessage());
            }
        }, "kmodpack-unmount"));
        String status = bundlePath + " mounted at " + target.path();
        try {
            if (log != null) {
                spec.commandLine().getOut().printf("%s (daemon pid %d, log %s)%n", status,
                        ProcessHandle.current().pid(), log);
                spec.commandLine().getOut().flush();
                readiness.redirectOutput(log);
            } else {
                note("serving " + bundlePath + " at " + target.path());
            }
            readiness.ready(status);
        } catch (IOException | RuntimeException e) {
            mount.close();
            bundle.close();
            throw e;
        }
        mount.awaitUnmounted();
        bundle.close();
        return 0;
    }

    /**
     * The directory to mount on, resolved to its real path (on merged /usr, /lib/modules is
     * /usr/lib/modules), and whether this command created it.
     */
    private record Target(Path path, boolean created) {
        void undo() {
            if (created) {
                try {
                    Files.deleteIfExists(path);
                } catch (IOException e) {
                    // Only an empty directory this command made is removed; anything else stays.
                }
            }
        }
    }

    private Target target(String kernelVersion) throws IOException {
        Path typed = mountPoint != null ? mountPoint : Path.of("/lib/modules", kernelVersion);
        Path real = MountTable.realPath(typed);
        String shown = typed + (real.equals(typed.toAbsolutePath()) ? "" : " (" + real + ")");
        Optional<MountTable.Mount> mounted = MountTable.at(real);
        if (mounted.filter(MountTable.Mount::isKmodpack).isPresent()) {
            throw new IOException(shown + " already has a kmodpack mount of " + mounted.get().source()
                    + "; 'kmodpack umount " + typed + "' first");
        }
        checkKernelVersion(typed, real, kernelVersion);
        if (mounted.isEmpty() && !Files.exists(real, LinkOption.NOFOLLOW_LINKS)) {
            if (mountPoint != null) {
                throw new IOException(shown + ": mount point does not exist; create the directory first "
                        + "(mkdir -p " + typed + ")");
            }
            Files.createDirectories(real);
            note("created " + shown + " for the mount");
            return new Target(real, true);
        }
        if (!Files.isDirectory(real)) {
            throw new IOException(shown + ": mount point is not a directory; give a directory to mount on");
        }
        return new Target(real, false);
    }

    /** A lib/modules/NAME directory is where kmod looks for kernel NAME's modules: only that kernel's belong. */
    private void checkKernelVersion(Path typed, Path real, String kernelVersion) throws IOException {
        for (Path path : List.of(typed.toAbsolutePath().normalize(), real)) {
            Path parent = path.getParent();
            if (parent != null && parent.getFileName() != null && parent.getFileName().toString().equals("modules")
                    && parent.getParent() != null && parent.getParent().getFileName() != null
                    && parent.getParent().getFileName().toString().equals("lib")
                    && !path.getFileName().toString().equals(kernelVersion)) {
                throw new IOException(bundlePath + " holds the modules of kernel " + kernelVersion + ", not of "
                        + path.getFileName() + ": mount it at " + parent.resolve(kernelVersion)
                        + ", or mount the bundle of " + path.getFileName() + " at " + typed);
            }
        }
    }

    private long timeoutMillis() {
        if (timeoutSeconds <= 0) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                    "--timeout must be a positive number of seconds, not " + timeoutSeconds);
        }
        return timeoutSeconds * 1000L;
    }

    private void note(String line) {
        spec.commandLine().getErr().println("kmodpack: " + line);
        spec.commandLine().getErr().flush();
    }

    private void noteHiddenEntries(Path target) throws IOException {
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(target)) {
            int count = 0;
            for (Path ignored : entries) {
                count++;
            }
            if (count > 0) {
                note("note: the mount hides the " + count + " entries now in " + target + " until it is unmounted");
            }
        }
    }

    /** --log, or /run/kmodpack/ named after the mount point (the temporary directory where /run is not writable). */
    private Path logFile(Path target) throws IOException {
        Path log = logFile;
        if (log == null) {
            String name = target.toString().replace('/', '-').replaceAll("^-", "") + ".log";
            Path run = Path.of("/run");
            log = (Files.isWritable(run) ? run.resolve("kmodpack") : Path.of(System.getProperty("java.io.tmpdir"),
                    "kmodpack-" + System.getProperty("user.name"))).resolve(name);
        }
        Files.createDirectories(log.toAbsolutePath().getParent());
        return log;
    }
}
