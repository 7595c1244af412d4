package org.kmodpack.fuse;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.kmodpack.reader.Bundle;

/**
 * A bundle mounted read-only at a directory. {@link #start} returns once the kernel has the mount and
 * libfuse has answered the kernel's first request, so the tree is usable the moment it returns.
 */
public final class FuseMount implements AutoCloseable {
    /** Entries, attributes and misses never change in a bundle: cache them in the kernel for an hour. */
    static final int CACHE_SECONDS = 3600;

    /**
     * {@code singleThreaded}: libfuse's -s. jffi attaches each native worker thread to the JVM on every call
     * in multi-threaded mode, which can cost more than the call itself.
     */
    public record Options(boolean allowOther, boolean singleThreaded, List<String> extraOptions) {
        public Options {
            extraOptions = List.copyOf(extraOptions);
        }

        public static Options defaults() {
            return new Options(true, true, List.of());
        }
    }

    private final BundleFileSystem fileSystem;
    private final Path mountPoint;
    private final Thread loop;
    private volatile Throwable loopFailure;

    private FuseMount(BundleFileSystem fileSystem, Path mountPoint, Thread loop) {
        this.fileSystem = fileSystem;
        this.mountPoint = mountPoint;
        this.loop = loop;
    }

    /**
     * Mounts {@code bundle} at {@code mountPoint}; {@code fsName} is what /proc/mounts shows as the source.
     * Fails if the mount is not answering within {@code timeoutMillis}.
     */
    public static FuseMount start(Bundle bundle, Path mountPoint, String fsName, Options options,
            Consumer<String> log, long timeoutMillis) throws IOException {
        return prepare(bundle, log).mount(mountPoint, fsName, options, timeoutMillis);
    }

    /**
     * The bundle's file system with libfuse loaded and its callbacks made, not mounted yet: most of what a mount
     * costs before the kernel is asked, which a caller can overlap with other work (the daemon checks the
     * bundle's blocks meanwhile).
     */
    public static Prepared prepare(Bundle bundle, Consumer<String> log) {
        return prepare(ServedTree.modulesOf(bundle), log);
    }

    /** As {@link #prepare(Bundle, Consumer)}, for a module directory made of several bundles ({@link UnionTree}). */
    public static Prepared prepare(ServedTree tree, Consumer<String> log) {
        return new Prepared(new BundleFileSystem(tree, MountTable.SUBTYPE, log), tree);
    }

    /**
     * As {@link #prepare}, for the bundle's firmware tree (what the kernel's firmware loader reads): a mount of
     * type {@value MountTable#FIRMWARE_TYPE}, so that the module directory's stays the one {@value MountTable#TYPE}
     * mount of the bundle.
     */
    public static Prepared prepareFirmware(Bundle bundle, Consumer<String> log) {
        if (!bundle.hasFirmware()) {
            throw new IllegalArgumentException(bundle + " carries no firmware");
        }
        ServedTree firmware = ServedTree.firmwareOf(bundle);
        return new Prepared(new BundleFileSystem(firmware, MountTable.FIRMWARE_SUBTYPE, log), firmware);
    }

    /** A file system ready to mount once. */
    public static final class Prepared {
        private final BundleFileSystem fileSystem;
        /** What is mounted, as messages name it. */
        private final ServedTree tree;

        private Prepared(BundleFileSystem fileSystem, ServedTree tree) {
            this.fileSystem = fileSystem;
            this.tree = tree;
        }

        /** As {@link FuseMount#start}. */
        public FuseMount mount(Path mountPoint, String fsName, Options options, long timeoutMillis)
                throws IOException {
            String[] arguments = arguments(fsName, fileSystem.subtype(), options);
            FuseMount[] self = new FuseMount[1];
            Thread loop = new Thread(() -> {
                try {
                    fileSystem.mount(mountPoint, true, false, arguments);
                } catch (Throwable t) {
                    self[0].loopFailure = t;
                } finally {
                    fileSystem.initialised().countDown();
                }
            }, "kmodpack-fuse-loop");
            FuseMount mount = new FuseMount(fileSystem, mountPoint, loop);
            self[0] = mount;
            loop.start();
            try {
                boolean ready = fileSystem.initialised().await(timeoutMillis, TimeUnit.MILLISECONDS);
                if (mount.loopFailure != null || !loop.isAlive()) {
                    // jnr-fuse's own words ("Unable to mount FS") say nothing; libfuse printed the reason.
                    throw new IOException("mounting " + tree + " at " + mountPoint + " failed: libfuse refused "
                            + "it for the reason on the line above (an -o option libfuse 2 does not take, or no "
                            + "libfuse2: apt-get install libfuse2)");
                }
                if (!ready || MountTable.typeAt(mountPoint).isEmpty()) {
                    mount.close();
                    throw new IOException("mounting " + tree + " at " + mountPoint + " did not complete within "
                            + timeoutMillis + " ms");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                mount.close();
                throw new java.io.InterruptedIOException("interrupted while mounting " + mountPoint);
            }
            return mount;
        }
    }

    static String[] arguments(String fsName, String subtype, Options options) {
        List<String> mountOptions = new ArrayList<>(List.of("fsname=" + escape(fsName), "subtype=" + subtype,
                "kernel_cache", "entry_timeout=" + CACHE_SECONDS, "attr_timeout=" + CACHE_SECONDS,
                "negative_timeout=" + CACHE_SECONDS, "use_ino", "default_permissions",
                // libfuse 2 refuses a non-empty mount point without it; the tree belongs there, so hide what is.
                "nonempty"));
        if (options.allowOther()) {
            mountOptions.add("allow_other");
        }
        mountOptions.addAll(options.extraOptions());
        // Last, so that no option of the user's makes the mount writable: the kernel then refuses every change
        // with EROFS before it reaches the file system, which has no write callbacks.
        mountOptions.add("ro");
        List<String> arguments = new ArrayList<>();
        if (options.singleThreaded()) {
            arguments.add("-s");
        }
        arguments.add("-o");
        arguments.add(String.join(",", mountOptions));
        return arguments.toArray(String[]::new);
    }

    /** libfuse splits -o at commas; a backslash keeps one (bundle paths may hold commas). */
    private static String escape(String value) {
        return value.replace("\\", "\\\\").replace(",", "\\,");
    }

    public Path mountPoint() {
        return mountPoint;
    }

    /** Blocks until the file system is unmounted (by {@link #close}, fusermount -u or umount). */
    public void awaitUnmounted() throws InterruptedException {
        loop.join();
    }

    /** Unmounts and waits until the kernel no longer shows the mount. */
    @Override
    public void close() throws IOException {
        if (loop.isAlive()) {
            if (MountTable.at(mountPoint).filter(MountTable.Mount::isKmodpackOrFirmware).isPresent()) {
                Unmount.unmount(mountPoint);
            }
            try {
                loop.join(TimeUnit.SECONDS.toMillis(30));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
