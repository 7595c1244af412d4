package org.kmodpack.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.kmodpack.reader.Bundle;
import org.kmodpack.reader.ByteSource;
import org.kmodpack.reader.RemoteOptions;
import org.kmodpack.reader.TrustPolicy;
import picocli.CommandLine.Option;

/**
 * Where every command that reads a bundle gets it from: a file, or an http:// or https:// URL read by Range
 * requests, block by block, each block checked against the bundle's signed hashes as it arrives. The one place
 * the CLI turns a BUNDLE argument into an open bundle.
 */
final class SourceOptions {
    static final int DEFAULT_TIMEOUT_SECONDS = 30;

    @Option(names = "--ca", paramLabel = "FILE",
            description = "For an https:// bundle: also trust the certificate authority (PEM or DER) in FILE.")
    Path ca;

    @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "" + DEFAULT_TIMEOUT_SECONDS,
            description = "For a remote bundle: fail a read that has not completed after SECONDS, retries "
                    + "included (default ${DEFAULT-VALUE}).")
    int timeoutSeconds = DEFAULT_TIMEOUT_SECONDS;

    RemoteOptions remote() {
        if (timeoutSeconds <= 0) {
            throw new IllegalArgumentException("--timeout must be a positive number of seconds, not "
                    + timeoutSeconds);
        }
        return new RemoteOptions(Optional.ofNullable(ca), Duration.ofSeconds(timeoutSeconds),
                RemoteOptions.DEFAULT.retries());
    }

    /** Opens for inspection: every block is checked against its hash, signatures are not. */
    Bundle open(String location, long cacheBytes) throws IOException {
        return Bundle.open(ByteSource.open(location, remote()), cacheBytes);
    }

    /** Opens only if the signatures satisfy {@code policy}. */
    Bundle open(String location, TrustPolicy policy, long cacheBytes) throws IOException {
        return Bundle.open(ByteSource.open(location, remote()), policy, cacheBytes);
    }
}
