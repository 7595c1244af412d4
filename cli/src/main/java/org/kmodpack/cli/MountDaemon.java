package org.kmodpack.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.kmodpack.fuse.FuseMount;
import org.kmodpack.fuse.LibcryptoProvider;
import org.kmodpack.fuse.MountTable;
import org.kmodpack.fuse.Readiness;
import org.kmodpack.reader.Bundle;

/**
 * The mount daemon: this process opens the bundle, checks its signature and every block, loads fuse from it
 * when the kernel has none, mounts, and serves until unmounted. Returning to the shell is the launcher's part:
 * it starts this JVM in its own session with {@value Readiness#READY_FD} and returns when the daemon says the
 * tree answers; under systemd ({@code Type=notify}) the daemon tells systemd instead. One JVM per mount, and it
 * is the daemon.
 */
final class MountDaemon {
    private final MountArguments arguments;
    private final String bundleLocation;
    private final Path mountPoint;
    private final PrintWriter out;
    private final PrintWriter err;

    MountDaemon(MountArguments arguments, PrintWriter out, PrintWriter err) {
        this.arguments = arguments;
        this.bundleLocation = arguments.bundle;
        this.mountPoint = arguments.mountPoint;
        this.out = out;
        this.err = err;
    }

    /** Mounts and serves until unmounted; returns 0 then. Throws with a one-line message if it cannot mount. */
    int run() throws IOException, InterruptedException {
        long timeoutMillis = arguments.timeoutSeconds * 1000L;
        // This JVM compiles with C1 only, where the JDK's SHA-256 is slow; every block read is hashed.
        LibcryptoProvider.installFirst();
        long cacheBytes = Sizes.parse(arguments.cacheSize);
        // Before opening: the file checked must be the file recorded (CheckedBundles.FileState).
        Optional<CheckedBundles.FileState> fileBeforeOpening = CheckedBundles.FileState.of(bundleLocation);
        LayerOptions layers = arguments.layers();
        LayerOptions.Opened opened = layers.open(bundleLocation,
                (location, keys) -> arguments.trust.open(location, cacheBytes, keys));
        Bundle bundle = opened.bundle();
        if (bundle.layer().isPresent()) {
            opened.close();
            throw new IOException(bundleLocation + ": is a layer of extra modules, not a whole tree; mount the base "
                    + "bundle with --layer " + bundleLocation);
        }
        // Every block against its signed hash before anything is mounted or loaded: a damaged bundle fails here,
        // whole, instead of as a few unreadable modules later (reads still check each block again). The check
        // reads the whole bundle; it runs beside the mount's own setup, which needs no block. A remote bundle is
        // not downloaded whole for this: each of its blocks is checked as it arrives. Nor is a file this system
        // checked whole before and that is unchanged since (CheckedBundles); a layered mount's union is checked.
        Optional<CheckedBundles> checked = bundle.isRemote() || !layers.layers.isEmpty()
                || fileBeforeOpening.isEmpty() ? Optional.empty()
                : Optional.of(new CheckedBundles(arguments.trust.signatures.source.cacheDirectoryOrDefault()
                        .resolve("checked")));
        boolean checkWhole = !bundle.isRemote()
                && !checked.map(record -> record.contains(fileBeforeOpening.get(), bundle)).orElse(false);
        BlockCheck blocks = checkWhole ? BlockCheck.start(bundle) : BlockCheck.none(bundle);
        Target target = null;
        FuseMount mount;
        Path log;
        try {
            target = target(bundle.kernelVersion());
            noteHiddenEntries(target.path());
            log = Readiness.launcherWaits() ? logFile(target.path()) : null;
            FuseMount.Prepared prepared = FuseMount.prepare(bundle, line -> {
                err.println(line);
                err.flush();
            });
            KernelFuse fuse = KernelFuse.prepare(bundle);
            blocks.await();
            if (checkWhole) {
                checked.ifPresent(record -> record.add(fileBeforeOpening.get(), bundle));
            }
            // Only now: fuse may have to come from this bundle, and nothing is loaded from a damaged one.
            fuse.ensure(line -> note(line));
            mount = prepared.mount(target.path(), source(bundle),
                    new FuseMount.Options(true, !arguments.multiThreaded, arguments.fuseOptions), timeoutMillis);
        } catch (IOException | RuntimeException e) {
            blocks.abandon();
            opened.close();
            if (target != null) {
                target.undo();
            }
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
        String status = bundleLocation + " mounted at " + target.path();
        try {
            if (log != null) {
                out.printf("%s (daemon pid %d, log %s)%n", status, ProcessHandle.current().pid(), log);
                out.flush();
                readiness.redirectOutput(log);
            } else {
                note("serving " + bundleLocation + " at " + target.path());
            }
            readiness.ready(status);
            Prefetch.start(bundle, arguments.prefetch, this::note);
            markClassDataArchive();
        } catch (IOException | RuntimeException e) {
            mount.close();
            opened.close();
            throw e;
        }
        mount.awaitUnmounted();
        opened.close();
        return 0;
    }

    /** {@link Bundle#verifyBlockHashes} on a thread of its own. */
    private static final class BlockCheck implements Runnable {
        private final Bundle bundle;
        private final Thread thread;
        private volatile IOException failure;

        private BlockCheck(Bundle bundle) {
            this.bundle = bundle;
            this.thread = new Thread(this, "kmodpack-block-check");
        }

        static BlockCheck start(Bundle bundle) {
            BlockCheck check = new BlockCheck(bundle);
            check.thread.start();
            return check;
        }

        /** No check before the mount: a remote bundle's blocks are checked as they arrive. */
        static BlockCheck none(Bundle bundle) {
            return new BlockCheck(bundle);
        }

        @Override
        public void run() {
            try {
                bundle.verifyBlockHashes();
            } catch (IOException e) {
                failure = e;
            }
        }

        /** Waits for the check; throws what it found. */
        void await() throws IOException {
            try {
                thread.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new java.io.InterruptedIOException("interrupted while checking " + bundle);
            }
            if (failure != null) {
                throw failure;
            }
        }

        /** Waits for the check to stop reading, whatever it found: the bundle is about to be closed. */
        void abandon() {
            boolean interrupted = false;
            while (thread.isAlive()) {
                try {
                    thread.join();
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** The mount's source in the mount table: the URL of a remote bundle, the absolute path of a file. */
    private String source(Bundle bundle) {
        return bundle.isRemote() ? bundleLocation : Path.of(bundleLocation).toAbsolutePath().toString();
    }

    /**
     * The directory to mount on, resolved to its real path (on merged /usr, /lib/modules is
     * /usr/lib/modules), and the highest directory this command created for it, if any.
     */
    private record Target(Path path, Path createdFrom) {
        /** Removes the directories this command created, if the mount failed; they are empty. */
        void undo() {
            if (createdFrom == null) {
                return;
            }
            for (Path dir = path; dir != null && dir.startsWith(createdFrom); dir = dir.getParent()) {
                try {
                    Files.deleteIfExists(dir);
                } catch (IOException e) {
                    return; // not empty after all: leave it and its parents
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
            Path createdFrom = real;
            while (createdFrom.getParent() != null && !Files.exists(createdFrom.getParent())) {
                createdFrom = createdFrom.getParent();
            }
            Files.createDirectories(real);
            note("created " + shown + " for the mount");
            return new Target(real, createdFrom);
        }
        if (!Files.isDirectory(real)) {
            throw new IOException(shown + ": mount point is not a directory; give a directory to mount on");
        }
        return new Target(real, null);
    }

    /** A lib/modules/NAME directory is where kmod looks for kernel NAME's modules: only that kernel's belong. */
    private void checkKernelVersion(Path typed, Path real, String kernelVersion) throws IOException {
        for (Path path : List.of(typed.toAbsolutePath().normalize(), real)) {
            Path parent = path.getParent();
            if (parent != null && parent.getFileName() != null && parent.getFileName().toString().equals("modules")
                    && parent.getParent() != null && parent.getParent().getFileName() != null
                    && parent.getParent().getFileName().toString().equals("lib")
                    && !path.getFileName().toString().equals(kernelVersion)) {
                throw new IOException(bundleLocation + " holds the modules of kernel " + kernelVersion + ", not of "
                        + path.getFileName() + ": mount it at " + parent.resolve(kernelVersion)
                        + ", or mount the bundle of " + path.getFileName() + " at " + typed);
            }
        }
    }

    private void note(String line) {
        err.println("kmodpack: " + line);
        err.flush();
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

    /**
     * Tells the launcher that the class data archive this JVM writes when it exits holds a whole mount's classes
     * (see the launcher): a daemon that refused its bundle writes one of a few classes, not worth mapping.
     */
    private static void markClassDataArchive() {
        String marker = System.getProperty("kmodpack.cds.mounted");
        if (marker != null) {
            try {
                Files.deleteIfExists(Path.of(marker));
                Files.createFile(Path.of(marker));
            } catch (IOException e) {
                // Without the mark the next mount writes the archive again; the mount itself is unaffected.
            }
        }
    }

    /** --log, or /run/kmodpack/ named after the mount point (the temporary directory where /run is not writable). */
    private Path logFile(Path target) throws IOException {
        Path log = arguments.log;
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
