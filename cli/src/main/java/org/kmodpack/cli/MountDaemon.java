package org.kmodpack.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.kmodpack.format.BlockIntegrityException;
import org.kmodpack.fuse.FuseMount;
import org.kmodpack.fuse.LibcryptoProvider;
import org.kmodpack.fuse.MountTable;
import org.kmodpack.fuse.Readiness;
import org.kmodpack.fuse.UnionTree;
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
        // Before opening: the file checked must be the file recorded (CheckedBundles.FileState); with layers
        // merged into a union bundle, the union's file in the cache directory.
        Optional<CheckedBundles.FileState> baseBeforeOpening = CheckedBundles.FileState.of(bundleLocation);
        LayerOptions layers = arguments.layers();
        LayerOptions.Opened opened = layers.open(bundleLocation,
                arguments.trust.signatures.source.cacheDirectoryOrDefault(),
                (location, keys) -> arguments.trust.open(location, cacheBytes, keys));
        Bundle base = opened.base();
        if (base.layer().isPresent()) {
            opened.close();
            throw new IOException(bundleLocation + ": is a layer of extra modules, not a whole tree; mount the base "
                    + "bundle with --layer " + bundleLocation);
        }
        // Every block against its signed hash before anything is mounted or loaded: a damaged bundle fails here,
        // whole, instead of as a few unreadable modules later (reads still check each block again). The check
        // reads the whole bundle; it runs beside the mount's own setup, which needs no block, and beside merging the
        // layers over the base. A remote bundle is not downloaded whole for this: each of its blocks is checked as
        // it arrives. Nor is a file this system checked whole before and that is unchanged since (CheckedBundles).
        CheckedBundles checked = new CheckedBundles(arguments.trust.signatures.source.cacheDirectoryOrDefault()
                .resolve("checked"));
        boolean checkBaseWhole = wholeCheckNeeded(base, baseBeforeOpening, checked);
        Background<List<Integer>> baseCheck = checkBlocks(checkBaseWhole ? List.of(base) : List.of());
        // The layers' modules against the kernel's symbols (as modprobe --layer checks them), beside the setup too:
        // a refused layer fails the mount before anything is mounted.
        Background<Void> symbolCheck = opened.layers().isEmpty() ? Background.done(null)
                : Background.start("kmodpack-symbol-check", () -> {
                    opened.checkSymbols(err);
                    return null;
                });
        // Layers the base's index answers for are served over the base as they are; others make a union bundle.
        Optional<UnionTree> merged;
        Optional<CheckedBundles.FileState> unionBeforeOpening;
        Bundle bundle;
        try {
            merged = opened.mergedTree();
            Optional<Path> unionFile = merged.isPresent() ? Optional.empty() : opened.unionFile();
            // Before opening, as the base's: the file checked must be the file recorded.
            unionBeforeOpening = unionFile.flatMap(file -> CheckedBundles.FileState.of(file.toString()));
            bundle = unionFile.isPresent() ? opened.bundle() : base;
        } catch (IOException | RuntimeException e) {
            baseCheck.abandon();
            symbolCheck.abandon();
            opened.close();
            throw e;
        }
        // Served as they are, the layers are checked whole too (they are small), every mount; a union bundle is
        // checked as the base is, once.
        boolean checkUnionWhole = bundle != base && wholeCheckNeeded(bundle, unionBeforeOpening, checked);
        Background<List<Integer>> otherChecks = checkBlocks(merged.isPresent()
                ? opened.layers().stream().filter(layer -> !layer.isRemote()).toList()
                : checkUnionWhole ? List.of(bundle) : List.of());
        boolean servesFirmware = bundle.hasFirmware() && !arguments.noFirmware;
        Target target = null;
        Target firmwareTarget = null;
        FuseMount mount = null;
        FuseMount firmwareMount = null;
        Path log;
        try {
            target = target(bundle.kernelVersion());
            noteHiddenEntries(target.path());
            if (servesFirmware) {
                firmwareTarget = firmwareTarget(bundle.kernelVersion());
                noteHiddenEntries(firmwareTarget.path());
            } else if (arguments.firmwareAt != null) {
                note("note: " + bundleLocation + " carries no firmware; nothing is served at " + arguments.firmwareAt);
            }
            log = Readiness.launcherWaits() ? logFile(target.path()) : null;
            java.util.function.Consumer<String> mountLog = line -> {
                err.println(line);
                err.flush();
            };
            FuseMount.Prepared prepared = merged.isPresent() ? FuseMount.prepare(merged.get(), mountLog)
                    : FuseMount.prepare(bundle, mountLog);
            FuseMount.Prepared preparedFirmware = servesFirmware ? FuseMount.prepareFirmware(bundle, mountLog) : null;
            KernelFuse fuse = KernelFuse.prepare(bundle);
            symbolCheck.await();
            List<Integer> damagedBaseFirmware = baseCheck.await();
            List<Integer> damagedUnionFirmware = otherChecks.await();
            // What is served is the base, or the union bundle made of it.
            List<Integer> damagedFirmware = bundle == base ? damagedBaseFirmware : damagedUnionFirmware;
            if (!damagedFirmware.isEmpty()) {
                note("blocks " + damagedFirmware + " of " + bundleLocation + " do not match their SHA-256 and hold "
                        + "firmware only: reads of the firmware in them fail (EIO), the modules are served");
            }
            if (checkBaseWhole && damagedBaseFirmware.isEmpty()) {
                baseBeforeOpening.ifPresent(state -> checked.add(state, base));
            }
            if (checkUnionWhole && damagedUnionFirmware.isEmpty()) {
                unionBeforeOpening.ifPresent(state -> checked.add(state, bundle));
            }
            // Only now: fuse may have to come from this bundle, and nothing is loaded from a damaged one.
            fuse.ensure(line -> note(line));
            FuseMount.Options options = new FuseMount.Options(true, !arguments.multiThreaded, arguments.fuseOptions);
            mount = prepared.mount(target.path(), source(bundle), options, timeoutMillis);
            if (merged.isPresent()) {
                // Made beside everything above; the mount is ready once they are, or fails if they cannot be.
                merged.get().awaitMadeFiles();
            }
            if (preparedFirmware != null) {
                firmwareMount = preparedFirmware.mount(firmwareTarget.path(), source(bundle), options, timeoutMillis);
            }
        } catch (IOException | RuntimeException e) {
            baseCheck.abandon();
            symbolCheck.abandon();
            otherChecks.abandon();
            if (mount != null) {
                mount.close();
            }
            opened.close();
            for (Target made : java.util.Arrays.asList(firmwareTarget, target)) {
                if (made != null) {
                    made.undo();
                }
            }
            throw e;
        }
        Readiness readiness = new Readiness();
        List<FuseMount> mounts = firmwareMount == null ? List.of(mount) : List.of(firmwareMount, mount);
        Path defaultLog = arguments.log == null ? log : null;
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            readiness.stopping();
            for (FuseMount each : mounts) {
                try {
                    each.close();
                } catch (IOException e) {
                    System.err.println("kmodpack: " + e.getMessage());
                }
            }
            removeIfEmpty(defaultLog);
        }, "kmodpack-unmount"));
        String status = bundleLocation + " mounted at " + target.path()
                + (firmwareMount == null ? "" : ", its firmware at " + firmwareTarget.path());
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
            for (FuseMount each : mounts) {
                each.close();
            }
            opened.close();
            throw e;
        }
        mount.awaitUnmounted();
        // The firmware is served for the module directory's sake: it goes with it.
        if (firmwareMount != null) {
            firmwareMount.close();
        }
        opened.close();
        return 0;
    }

    /**
     * Whether {@code bundle} is to be checked whole: a local file, unless recorded as checked in the state it had
     * before it was opened.
     */
    private static boolean wholeCheckNeeded(Bundle bundle, Optional<CheckedBundles.FileState> beforeOpening,
            CheckedBundles checked) {
        return !bundle.isRemote() && !beforeOpening.map(state -> checked.contains(state, bundle)).orElse(false);
    }

    /**
     * {@link Bundle#checkBlockHashes} of some bundles, one after the other, in the background: a damaged block
     * refuses its bundle, unless it holds firmware only, which then reads as damaged (EIO) while the modules are
     * served. The check gives the damaged blocks of firmware only.
     */
    private static Background<List<Integer>> checkBlocks(List<Bundle> bundles) {
        List<Bundle> checked = List.copyOf(bundles);
        if (checked.isEmpty()) {
            return Background.done(List.of());
        }
        return Background.start("kmodpack-block-check", () -> {
            List<Integer> damagedFirmware = new java.util.ArrayList<>();
            for (Bundle each : checked) {
                each.checkBlockHashes((block, matches) -> {
                    if (!matches && !each.holdsFirmwareOnly(block)) {
                        throw new BlockIntegrityException(each.toString(), block, null);
                    }
                    if (!matches) {
                        damagedFirmware.add(block);
                    }
                });
            }
            return List.copyOf(damagedFirmware);
        });
    }

    /** Work that reads the bundles on a thread of its own beside the mount's setup, awaited before mounting. */
    private static final class Background<T> {
        /** What the work does; what it throws refuses the mount. */
        interface Work<T> {
            T run() throws IOException;
        }

        /** Null when there is nothing to do. */
        private Thread thread;
        private volatile T result;
        private volatile Throwable failure;

        /** Nothing to do: {@code result} at once. */
        static <T> Background<T> done(T result) {
            Background<T> background = new Background<>();
            background.result = result;
            return background;
        }

        static <T> Background<T> start(String name, Work<T> work) {
            Background<T> background = new Background<>();
            background.thread = new Thread(() -> {
                try {
                    background.result = work.run();
                } catch (IOException | RuntimeException | Error e) {
                    background.failure = e;
                }
            }, name);
            background.thread.start();
            return background;
        }

        /** Waits for the work; throws what it threw, else returns its result. */
        T await() throws IOException {
            if (thread == null) {
                return result;
            }
            try {
                thread.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new java.io.InterruptedIOException("interrupted while waiting for " + thread.getName());
            }
            if (failure instanceof IOException refused) {
                throw refused;
            }
            if (failure instanceof RuntimeException unchecked) {
                throw unchecked;
            }
            if (failure instanceof Error error) {
                throw error;
            }
            return result;
        }

        /** Waits for the work to stop reading, whatever it found: the bundles are about to be closed. */
        void abandon() {
            boolean interrupted = false;
            while (thread != null && thread.isAlive()) {
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
        checkKernelVersion(typed, MountTable.realPath(typed), kernelVersion);
        return target(typed, mountPoint != null);
    }

    /** Where the firmware goes: --firmware-at, or where the kernel's loader looks first for this kernel's. */
    private Target firmwareTarget(String kernelVersion) throws IOException {
        Path given = arguments.firmwareAt;
        return target(given != null ? given : Path.of("/lib/firmware/updates", kernelVersion), given != null);
    }

    /** {@code typed}, which must exist if the user named it, and is created otherwise. */
    private Target target(Path typed, boolean named) throws IOException {
        Path real = MountTable.realPath(typed);
        String shown = typed + (real.equals(typed.toAbsolutePath()) ? "" : " (" + real + ")");
        Optional<MountTable.Mount> mounted = MountTable.at(real);
        if (mounted.filter(MountTable.Mount::isKmodpackOrFirmware).isPresent()) {
            throw new IOException(shown + " already has a kmodpack mount of " + mounted.get().source()
                    + "; 'kmodpack umount " + typed + "' first");
        }
        if (mounted.isEmpty() && !Files.exists(real, LinkOption.NOFOLLOW_LINKS)) {
            if (named) {
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
    /**
     * A daemon that had nothing to say leaves no log in /run/kmodpack: one is named after each mount point, and
     * mount points come and go.
     */
    private static void removeIfEmpty(Path log) {
        if (log != null) {
            try {
                if (Files.size(log) == 0) {
                    Files.delete(log);
                }
            } catch (IOException e) {
                // Gone already, or not ours to remove: either way nothing is lost.
            }
        }
    }

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
