package org.kmodpack.reader;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * How remote sources are read: extra certificate authorities to trust for HTTPS besides the system's, how long one
 * read may take in total (retries included), how many times a failed request is tried again, and where fetched
 * blocks are kept (a directory shared by every bundle, keyed by the blocks' SHA-256, at most so many bytes).
 */
public record RemoteOptions(Optional<Path> caFile, Duration timeout, int retries, Optional<Path> cacheDirectory,
        long cacheLimitBytes) {
    /** The JDK's trusted authorities, 30 seconds per read, three retries, no block cache on disk. */
    public static final RemoteOptions DEFAULT = new RemoteOptions(Optional.empty(), Duration.ofSeconds(30), 3,
            Optional.empty(), 0);

    public RemoteOptions {
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout must be positive, not " + timeout);
        }
        if (cacheDirectory.isPresent() && cacheLimitBytes <= 0) {
            throw new IllegalArgumentException("a block cache needs a positive size bound, not " + cacheLimitBytes);
        }
        if (retries < 0) {
            throw new IllegalArgumentException("retries must not be negative, not " + retries);
        }
    }
}
