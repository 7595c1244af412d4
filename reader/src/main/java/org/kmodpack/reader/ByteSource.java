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

    /**
     * Reads the stored bytes of a block whose SHA-256 the bundle's index records; a source may serve them from
     * elsewhere, such as a cache keyed by that hash. The caller checks the hash either way.
     */
    default byte[] readBlock(long position, int length, byte[] sha256) throws IOException {
        return read(position, length);
    }

    /**
     * Says that bytes {@code position..position+length-1} are read next, in pieces: a remote source fetches them
     * in one request instead of one per piece. Files ignore it.
     */
    default void prefetch(long position, long length) throws IOException {
    }

    /** Whether reads go over a network: a whole-bundle pass then costs a download, not a page-cache walk. */
    default boolean isRemote() {
        return false;
    }

    @Override
    void close() throws IOException;

    /** A file: mapped where the file system maps files and the file fits one mapping, positional reads elsewhere. */
    static ByteSource open(Path file) throws IOException {
        return FileSource.open(file);
    }

    /**
     * A bundle named as users name it: an {@code http://} or {@code https://} URL (read by Range requests as
     * {@code remote} says, its blocks kept in {@code remote}'s cache directory if it names one), or a file path.
     */
    static ByteSource open(String location, RemoteOptions remote) throws IOException {
        if (isRemote(location)) {
            java.net.URI uri;
            try {
                uri = new java.net.URI(location);
            } catch (java.net.URISyntaxException e) {
                throw new IOException(location + ": not a valid URL: " + e.getReason(), e);
            }
            if (uri.getHost() == null) {
                throw new IOException(location + ": the URL names no host");
            }
            return cached(http(uri, location, RemoteAuthorization.NONE, RemoteHttp.client(remote), remote), remote);
        }
        return open(Path.of(location));
    }

    /**
     * A resource read by HTTP Range requests through {@code client} (see {@link RemoteHttp#client}), with the
     * credentials of {@code authorization} (renewed on a 401), named {@code name} in messages. The first request
     * fetches the header and tells the length.
     */
    static ByteSource http(java.net.URI uri, String name, RemoteAuthorization authorization,
            java.net.http.HttpClient client, RemoteOptions remote) throws IOException {
        try {
            return HttpSource.open(uri, name, authorization, client, remote, org.kmodpack.format.Header.SIZE);
        } catch (SourceReadException e) {
            throw new SourceReadException(name + ": " + e.getMessage(), e);
        }
    }

    /** {@code remote} with the block cache of {@code options}, if it names a directory; closes it on failure. */
    static ByteSource cached(ByteSource remote, RemoteOptions options) throws IOException {
        if (options.cacheDirectory().isEmpty()) {
            return remote;
        }
        try {
            return DiskBlockCache.over(remote, options.cacheDirectory().get(), options.cacheLimitBytes());
        } catch (IOException | RuntimeException e) {
            remote.close();
            throw e;
        }
    }

    /** Whether {@code location} names a remote bundle rather than a file. */
    static boolean isRemote(String location) {
        String lower = location.toLowerCase(java.util.Locale.ROOT);
        return lower.startsWith("http://") || lower.startsWith("https://");
    }
}
