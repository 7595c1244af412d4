package org.kmodpack.testkernels;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Instant;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;

/**
 * Makes a finished tree independent of umask and build time: directories 0755, files 0644 unless the spec says
 * otherwise, and one fixed mtime (with a non-zero nanosecond part, to catch readers that drop it) on every entry.
 */
final class TreeFinisher {
    static final FileTime MTIME = FileTime.from(Instant.parse("2024-01-02T03:04:05.123456789Z"));
    private static final int DIRECTORY_MODE = 0755;
    private static final int FILE_MODE = 0644;

    private TreeFinisher() {
    }

    static void finish(Path root, Map<Path, Set<PosixFilePermission>> modes) throws IOException {
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attributes) throws IOException {
                if (attributes.isRegularFile()) {
                    Files.setPosixFilePermissions(file, modes.getOrDefault(file, permissions(FILE_MODE)));
                }
                stamp(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path dir, IOException failure) throws IOException {
                if (failure != null) {
                    throw failure;
                }
                Files.setPosixFilePermissions(dir, permissions(DIRECTORY_MODE));
                stamp(dir);
                return FileVisitResult.CONTINUE;
            }
        });
    }

    /** Sets the fixed mtime on {@code path} itself, never on a symlink's target. */
    static void stamp(Path path) throws IOException {
        Files.getFileAttributeView(path, BasicFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
                .setTimes(MTIME, MTIME, null);
    }

    static Set<PosixFilePermission> permissions(int mode) {
        Set<PosixFilePermission> permissions = EnumSet.noneOf(PosixFilePermission.class);
        PosixFilePermission[] bits = PosixFilePermission.values();
        // values() runs OWNER_READ .. OTHERS_EXECUTE, i.e. from bit 8 down to bit 0.
        for (int i = 0; i < bits.length; i++) {
            if ((mode & (1 << (bits.length - 1 - i))) != 0) {
                permissions.add(bits[i]);
            }
        }
        return permissions;
    }
}
