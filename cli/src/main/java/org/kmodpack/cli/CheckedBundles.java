package org.kmodpack.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.kmodpack.reader.Bundle;

/**
 * The bundle files whose every block the mount daemon has checked against its signed hash, each as the file was
 * then: its real path, size, modification time and change time. The daemon checks a whole bundle before it
 * mounts, so that a damaged one is refused whole; on a target that mounts the same file at every boot, that
 * check hashes the whole file each time, and under emulation or on a small board it is most of the boot's wait.
 * A file whose change time is what it was when it was checked has not been written through the kernel since (no
 * system call sets the change time), so its later mounts skip the whole-file pass; every read still checks the
 * blocks it uses, so a file damaged below the file system gives EIO for those files instead of a refused mount.
 * Each entry is named after the SHA-256 of the bundle's index, which commits to every block's hash.
 */
final class CheckedBundles {
    /**
     * A bundle file as it was before it was opened. Taken before and compared after, it tells that the file
     * opened, and checked, is the one named: a file replaced meanwhile has another change time.
     */
    record FileState(String realPath, long size, long modifiedNanos, long changedNanos) {
        /** The file as it is now; empty if it is not a local file (a URL) or cannot be read. */
        static Optional<FileState> of(String location) {
            try {
                Path real = Path.of(location).toRealPath();
                Map<String, Object> attributes = Files.readAttributes(real, "unix:size,lastModifiedTime,ctime");
                return Optional.of(new FileState(real.toString(), (Long) attributes.get("size"),
                        nanos(attributes.get("lastModifiedTime")), nanos(attributes.get("ctime"))));
            } catch (IOException | RuntimeException e) {
                return Optional.empty();
            }
        }

        /** Whether the file at this state's path is still in this state. */
        boolean unchanged() {
            return of(realPath).filter(this::equals).isPresent();
        }

        private String encode() {
            return realPath + "\n" + size + "\n" + modifiedNanos + "\n" + changedNanos + "\n";
        }

        private static long nanos(Object time) {
            return ((FileTime) time).to(TimeUnit.NANOSECONDS);
        }
    }

    private final Path directory;

    /** The record kept in {@code directory}, created when first written. */
    CheckedBundles(Path directory) {
        this.directory = directory;
    }

    /** Whether the file {@code before} describes, opened since as {@code bundle}, was checked whole as it is. */
    boolean contains(FileState before, Bundle bundle) {
        Path entry = entry(bundle);
        try {
            return Files.isRegularFile(entry) && Files.readString(entry, StandardCharsets.UTF_8).equals(before.encode())
                    && before.unchanged();
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * Records that every block of the file {@code before} describes, opened since as {@code bundle}, matched its
     * hash, unless the file changed meanwhile. A record that cannot be written only means the next mount checks
     * the whole file again.
     */
    void add(FileState before, Bundle bundle) {
        if (!before.unchanged()) {
            return;
        }
        Path written = null;
        try {
            Files.createDirectories(directory);
            written = Files.createTempFile(directory, ".entry", null);
            Files.writeString(written, before.encode(), StandardCharsets.UTF_8);
            try {
                Files.move(written, entry(bundle), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(written, entry(bundle), StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            deleteQuietly(written);
        }
    }

    private Path entry(Bundle bundle) {
        return directory.resolve(HexFormat.of().formatHex(bundle.indexSha256()));
    }

    private static void deleteQuietly(Path file) {
        if (file != null) {
            try {
                Files.deleteIfExists(file);
            } catch (IOException e) {
                // a stray temporary file in the cache directory; the record itself is unaffected
            }
        }
    }
}
