package org.kmodpack.fuse;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/** Unmounts a kmodpack mount point and waits until the kernel no longer shows it. */
public final class Unmount {
    private static final long WAIT_MILLIS = 10_000;

    private Unmount() {
    }

    /**
     * {@code fusermount -u}; when the daemon died (kill -9: "Transport endpoint is not connected") or the
     * mount is busy, a lazy unmount detaches it. Returns false if nothing was mounted there.
     */
    public static boolean unmount(Path mountPoint) throws IOException {
        if (MountTable.typeAt(mountPoint).isEmpty()) {
            return false;
        }
        String failure = fusermount("-u", mountPoint);
        if (failure != null) {
            String lazy = fusermount("-uz", mountPoint);
            if (lazy != null) {
                throw new IOException("cannot unmount " + mountPoint + ": " + failure.strip());
            }
        }
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(WAIT_MILLIS);
        while (MountTable.typeAt(mountPoint).isPresent()) {
            if (System.nanoTime() > deadline) {
                throw new IOException(mountPoint + " is still mounted " + WAIT_MILLIS / 1000
                        + " s after fusermount -u; see fuser -m " + mountPoint);
            }
            sleep(20);
        }
        return true;
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
