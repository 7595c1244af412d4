package org.kmodpack.reader;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * How remote sources are read: extra certificate authorities to trust for HTTPS besides the system's, how long one
 * read may take in total (retries included), and how many times a failed request is tried again.
 */
public record RemoteOptions(Optional<Path> caFile, Duration timeout, int retries) {
    /** The JDK's trusted authorities, 30 seconds per read, three retries. */
    public static final RemoteOptions DEFAULT = new RemoteOptions(Optional.empty(), Duration.ofSeconds(30), 3);

    public RemoteOptions {
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout must be positive, not " + timeout);
        }
        if (retries < 0) {
            throw new IllegalArgumentException("retries must not be negative, not " + retries);
        }
    }
}
