package org.kmodpack.reader;

import java.io.IOException;
import java.nio.file.Path;
import java.security.MessageDigest;

/**
 * Where a bundle's bytes come from: positional reads, safe from many threads at once. {@link #open(Path)} serves
 * a file (a read-only mapping where the file system offers one, positional channel reads elsewhere); another
 * source (a remote bundle, bytes in memory) plugs in here and {@link Bundle#open(ByteSource, long)} reads it
 * the same way, checking every byte it reads against the bundle's hashes.
 */
public interface ByteSource extends AutoCloseable {
    /** The bundle's name in messages: the path the user gave, or what names the remote source. */
    String name();

    /** The number of bytes the source holds. */
    long length() throws IOException;

    /** Copies {@code length} bytes at {@code position} into a new array; fails if the source ends first. */
    byte[] read(long position, int length) throws IOException;

    /** Feeds {@code length} bytes at {@code position} to {@code digest}; a source may avoid the copy. */
    default void digest(MessageDigest digest, long position, int length) throws IOException {
        digest.update(read(position, length));
    }

    @Override
    void close() throws IOException;

    /** A file: mapped where the file system maps files and the file fits one mapping, positional reads elsewhere. */
    static ByteSource open(Path file) throws IOException {
        return FileSource.open(file);
    }
}
