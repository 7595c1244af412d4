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
    private final Path directory;

    /** The record kept in {@code directory}, created when first written. */
    CheckedBundles(Path directory) {
        this.directory = directory;
    }

    /** Whether {@code file}, opened as {@code bundle}, was checked whole as it is now. */
    boolean contains(Path file, Bundle bundle) {
        Path entry = entry(bundle);
        try {
            return Files.isRegularFile(entry) && Files.readString(entry, StandardCharsets.UTF_8)
                    .equals(identity(file).orElse(null));
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * Records that every block of {@code file}, opened as {@code bundle}, matched its hash. A record that cannot
     * be written only means the next mount checks the whole file again.
     */
    void add(Path file, Bundle bundle) {
        Optional<String> identity = identity(file);
        if (identity.isEmpty()) {
            return;
        }
        Path entry = entry(bundle);
        try {
            Files.createDirectories(directory);
            Path written = Files.createTempFile(directory, ".entry", null);
            Files.writeString(written, identity.get(), StandardCharsets.UTF_8);
            try {
                Files.move(written, entry, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(written, entry, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            // the next mount checks the whole file again
        }
    }

    private Path entry(Bundle bundle) {
        return directory.resolve(HexFormat.of().formatHex(bundle.indexSha256()));
    }

    /** The file as it is now: its real path, size, modification and change times (nanoseconds); empty if gone. */
    private static Optional<String> identity(Path file) {
        try {
            Path real = file.toRealPath();
            Map<String, Object> attributes = Files.readAttributes(real, "unix:size,lastModifiedTime,ctime");
            return Optional.of(real + "\n" + attributes.get("size") + "\n"
                    + nanos((FileTime) attributes.get("lastModifiedTime")) + "\n"
                    + nanos((FileTime) attributes.get("ctime")) + "\n");
        } catch (IOException | UnsupportedOperationException e) {
            return Optional.empty();
        }
    }

    private static long nanos(FileTime time) {
        return time.to(java.util.concurrent.TimeUnit.NANOSECONDS);
    }
}
