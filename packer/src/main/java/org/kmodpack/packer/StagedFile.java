package org.kmodpack.packer;

import java.io.Closeable;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.util.HexFormat;

/**
 * A file written beside its destination and moved over it only when complete, so that readers of the
 * destination never see a partial file. Its name, {@code .NAME.tmp-PID-RANDOM}, says what it is and whose; while
 * it is written its writer holds a lock on it, which the kernel drops when the writer dies, even by kill -9.
 * So the next {@link #create} for the same destination removes the files a dead writer left (those whose lock it
 * can take) and leaves those of a live writer alone, whatever became of the PID in the name.
 */
public final class StagedFile implements Closeable {
    private final Path path;
    private final Path destination;
    private final FileChannel channel;
    private final FileLock lock;
    private boolean committed;

    private StagedFile(Path path, Path destination, FileChannel channel, FileLock lock) {
        this.path = path;
        this.destination = destination;
        this.channel = channel;
        this.lock = lock;
    }

    /** Removes what dead writers left for {@code destination}, then creates and locks a new staged file. */
    public static StagedFile create(Path destination) throws IOException {
        Path absolute = destination.toAbsolutePath();
        removeAbandoned(absolute);
        Path path = absolute.resolveSibling(prefix(absolute) + ProcessHandle.current().pid() + "-"
                + HexFormat.of().formatHex(new SecureRandom().generateSeed(4)));
        FileChannel channel = FileChannel.open(path, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ,
                StandardOpenOption.WRITE);
        try {
            return new StagedFile(path, absolute, channel, channel.lock());
        } catch (IOException | RuntimeException e) {
            channel.close();
            Files.deleteIfExists(path);
            throw e;
        }
    }

    /**
     * Deletes the staged files of {@code destination} whose writer is gone, and returns how many. Files of this
     * process are skipped: closing a descriptor of a file drops all of the process's locks on it (POSIX), so
     * probing our own would unlock them for other processes.
     */
    public static int removeAbandoned(Path destination) throws IOException {
        Path absolute = destination.toAbsolutePath();
        String prefix = prefix(absolute);
        String ours = prefix + ProcessHandle.current().pid() + "-";
        int removed = 0;
        try (DirectoryStream<Path> siblings = Files.newDirectoryStream(absolute.getParent(), p -> {
            String name = p.getFileName().toString();
            return name.startsWith(prefix) && !name.startsWith(ours);
        })) {
            for (Path candidate : siblings) {
                if (Files.isRegularFile(candidate, java.nio.file.LinkOption.NOFOLLOW_LINKS) && abandoned(candidate)) {
                    Files.deleteIfExists(candidate);
                    removed++;
                }
            }
        }
        return removed;
    }

    private static boolean abandoned(Path candidate) {
        try (FileChannel channel = FileChannel.open(candidate, StandardOpenOption.WRITE)) {
            FileLock probe = channel.tryLock();
            return probe != null;
        } catch (OverlappingFileLockException | IOException e) {
            // Held in this JVM, gone already, or not ours to open: not abandoned as far as we can tell.
            return false;
        }
    }

    private static String prefix(Path absolute) {
        return "." + absolute.getFileName() + ".tmp-";
    }

    public Path path() {
        return path;
    }

    public FileChannel channel() {
        return channel;
    }

    /** Flushes the file to disk and moves it over the destination. */
    public void commit() throws IOException {
        commit(destination);
    }

    /**
     * As {@link #commit()}, to {@code other} in the same directory: a destination named after what was read only
     * while writing (the kernel version of a streamed archive).
     */
    public void commit(Path other) throws IOException {
        channel.force(true);
        Files.move(path, other.toAbsolutePath(), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        committed = true;
    }

    /** Releases the file; unless committed, deletes it. */
    @Override
    public void close() throws IOException {
        try {
            if (lock.isValid()) {
                lock.release();
            }
            channel.close();
        } finally {
            if (!committed) {
                Files.deleteIfExists(path);
            }
        }
    }
}
