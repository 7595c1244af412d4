package org.kmodpack.fuse;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/** Unmounts a kmodpack mount point, and only that, and waits until the kernel no longer shows it. */
public final class Unmount {
    private static final long WAIT_MILLIS = 10_000;

    private Unmount() {
    }

    /** Why {@link #unmount} did nothing: the message says what is (not) mounted at the user's path. */
    public static final class NotKmodpackException extends IOException {
        NotKmodpackException(String message) {
            super(message);
        }
    }

    /**
     * Unmounts the kmodpack mount that {@code path} (as the user wrote it) resolves to: {@code fusermount -u};
     * when the daemon died (kill -9: "Transport endpoint is not connected") or the mount is busy, a lazy
     * unmount detaches it. A module directory's firmware mounts (the bundle's firmware, which its daemon serves)
     * go first, so that none outlives it. Anything that is not a {@value MountTable#TYPE} or
     * {@value MountTable#FIRMWARE_TYPE} mount is refused, untouched.
     */
    public static void unmount(Path path) throws IOException {
        Path real = MountTable.realPath(path);
        Optional<MountTable.Mount> mount = MountTable.at(real);
        String shown = path + (real.toString().equals(path.toAbsolutePath().toString()) ? "" : " (" + real + ")");
        if (mount.isEmpty()) {
            throw new NotKmodpackException(shown + ": nothing is mounted there");
        }
        if (!mount.get().isKmodpackOrFirmware()) {
            throw new NotKmodpackException(shown + " is a " + mount.get().type() + " mount, not kmodpack's; "
                    + "kmodpack umount only unmounts " + MountTable.TYPE + " mounts (use umount(8) for others)");
        }
        if (mount.get().isKmodpack()) {
            for (MountTable.Mount firmware : MountTable.firmwareOf(mount.get().source())) {
                detach(firmware.mountPoint(), firmware.mountPoint().toString());
            }
        }
        detach(real, shown);
    }

    /** Unmounts the mount at {@code real} and waits until it is gone; one the daemon removed meanwhile is gone. */
    private static void detach(Path real, String shown) throws IOException {
        String failure = fusermount("-u", real);
        if (failure != null && isMounted(real)) {
            String lazy = fusermount("-uz", real);
            if (lazy != null && isMounted(real)) {
                throw new IOException("cannot unmount " + shown + ": " + failure.strip());
            }
        }
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(WAIT_MILLIS);
        while (isMounted(real)) {
            if (System.nanoTime() > deadline) {
                throw new IOException(shown + " is still mounted " + WAIT_MILLIS / 1000
                        + " s after fusermount -u; see fuser -m " + real);
            }
            sleep(20);
        }
    }

    private static boolean isMounted(Path real) throws IOException {
        return MountTable.at(real).filter(MountTable.Mount::isKmodpackOrFirmware).isPresent();
    }

    /** Null on success, else what fusermount said. */
    private static String fusermount(String flags, Path mountPoint) throws IOException {
        Process process = new ProcessBuilder("fusermount", flags, mountPoint.toString())
                .redirectErrorStream(true).start();
        try {
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            return process.waitFor() == 0 ? null : output;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted while unmounting " + mountPoint);
        }
    }

    private static void sleep(long millis) throws java.io.InterruptedIOException {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted while waiting for an unmount");
        }
    }
}
