package org.kmodpack.reader;

import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.kmodpack.format.Sha256;

/**
 * A remote source with a directory of the blocks it fetched, each stored under its SHA-256 (DIR/sha256/ab/abcd…),
 * so every bundle that shares a block shares the copy and a remount after a reboot reads from disk. A cached block
 * is hashed again whenever it is read: one that no longer matches is deleted and fetched again. The directory
 * is kept under its size bound by deleting the least recently used blocks; several processes may share it. Readers
 * of one block at the same time share a single fetch (a mount's prefetch and a read of the same block), so the
 * server sends it once and the cache counts it once.
 */
final class DiskBlockCache extends ForwardingByteSource {
    private static final HexFormat HEX = HexFormat.of();

    private final Path blocks;
    private final long limitBytes;
    private final AtomicLong sizeBytes;
    /** The fetches under way, by the hex SHA-256 of the block each fetches. */
    private final SharedLoads<String> fetching = new SharedLoads<>();

    private DiskBlockCache(ByteSource remote, Path blocks, long limitBytes, long sizeBytes) {
        super(remote);
        this.blocks = blocks;
        this.limitBytes = limitBytes;
        this.sizeBytes = new AtomicLong(sizeBytes);
    }

    /** {@code remote} with the cache in {@code directory} (created if absent), holding at most {@code limitBytes}. */
    static DiskBlockCache over(ByteSource remote, Path directory, long limitBytes) throws IOException {
        Path blocks = directory.resolve("sha256");
        try {
            Files.createDirectories(blocks);
        } catch (IOException e) {
            throw new IOException(directory + ": cannot create the block cache (" + e.getMessage()
                    + "); give a writable directory with --cache-dir DIR", e);
        }
        return new DiskBlockCache(remote, blocks, limitBytes, size(blocks));
    }

    @Override
    public byte[] readBlock(long position, int length, byte[] sha256) throws IOException {
        String hex = HEX.formatHex(sha256);
        Path cached = blocks.resolve(hex.substring(0, 2)).resolve(hex);
        byte[] stored = readCached(cached, length, sha256);
        if (stored != null) {
            return stored;
        }
        return fetching.load(hex, () -> {
            // Another reader's fetch may have stored it since this one looked.
            byte[] storedMeanwhile = readCached(cached, length, sha256);
            if (storedMeanwhile != null) {
                return storedMeanwhile;
            }
            byte[] fetched = delegate.read(position, length);
            if (MessageDigest.isEqual(Sha256.of(fetched), sha256)) {
                store(cached, fetched);
            }
            return fetched;
        });
    }

    /** The block as cached on disk, or null if it is not there or no longer matches (then it is deleted). */
    private static byte[] readCached(Path cached, int length, byte[] sha256) throws IOException {
        try {
            byte[] bytes = Files.readAllBytes(cached);
            if (bytes.length == length && MessageDigest.isEqual(Sha256.of(bytes), sha256)) {
                touch(cached);
                return bytes;
            }
            // Damaged on disk (or a different length: never written by us): forget it, fetch again.
            delete(cached);
        } catch (NoSuchFileException e) {
            // not cached yet
        }
        return null;
    }

    /** Writes beside and renames, so a reader never sees a partial block. Failure only costs a later fetch. */
    private void store(Path cached, byte[] bytes) {
        try {
            Files.createDirectories(cached.getParent());
            Path temporary = Files.createTempFile(cached.getParent(), ".fetch", ".tmp");
            try {
                Files.write(temporary, bytes);
                try {
                    Files.move(temporary, cached, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                } catch (AtomicMoveNotSupportedException e) {
                    Files.move(temporary, cached, StandardCopyOption.REPLACE_EXISTING);
                }
            } finally {
                Files.deleteIfExists(temporary);
            }
            if (sizeBytes.addAndGet(bytes.length) > limitBytes) {
                evict();
            }
        } catch (IOException e) {
            // A full or read-only disk must not fail the read: the block was fetched and is returned.
        }
    }

    /** Deletes least recently used blocks until the cache holds at most nine tenths of its bound. */
    private synchronized void evict() throws IOException {
        record Cached(Path path, long size, FileTime used) {
        }
        List<Cached> all = new ArrayList<>();
        try (Stream<Path> walk = Files.walk(blocks, 2)) {
            for (Path path : (Iterable<Path>) walk::iterator) {
                BasicFileAttributes attributes;
                try {
                    attributes = Files.readAttributes(path, BasicFileAttributes.class);
                } catch (NoSuchFileException e) {
                    continue; // evicted by another process meanwhile
                }
                if (attributes.isRegularFile() && !path.getFileName().toString().startsWith(".")) {
                    all.add(new Cached(path, attributes.size(), attributes.lastModifiedTime()));
                }
            }
        }
        all.sort(Comparator.comparing(Cached::used));
        long total = all.stream().mapToLong(Cached::size).sum();
        for (Cached block : all) {
            if (total <= limitBytes / 10 * 9) {
                break;
            }
            delete(block.path());
            total -= block.size();
        }
        sizeBytes.set(total);
    }

    private static void touch(Path cached) {
        try {
            Files.setLastModifiedTime(cached, FileTime.fromMillis(System.currentTimeMillis()));
        } catch (IOException e) {
            // The order of eviction is a hint; a read-only cache still serves.
        }
    }

    private static void delete(Path cached) {
        try {
            Files.deleteIfExists(cached);
        } catch (IOException e) {
            // Left for the next eviction.
        }
    }

    private static long size(Path blocks) throws IOException {
        long total = 0;
        try (DirectoryStream<Path> prefixes = Files.newDirectoryStream(blocks)) {
            for (Path prefix : prefixes) {
                if (Files.isDirectory(prefix)) {
                    try (DirectoryStream<Path> files = Files.newDirectoryStream(prefix)) {
                        for (Path file : files) {
                            total += Files.size(file);
                        }
                    }
                }
            }
        }
        return total;
    }
}
