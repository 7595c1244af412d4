package org.kmodpack.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.kmodpack.reader.Bundle;
import org.kmodpack.reader.TrustPolicy;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * The trust options every command that reads a bundle takes, with one meaning everywhere. Inspection
 * commands check signatures only when --trust is given; verify always does (default trust directory).
 */
final class TrustOptions {
    @Spec(Spec.Target.MIXEE)
    CommandSpec mixee;

    @Mixin
    SourceOptions source = new SourceOptions();

    @Option(names = "--trust", paramLabel = "FILE|DIR",
            description = "Trust the public keys and certificates (PEM or DER) in FILE, or in the files of DIR; "
                    + "repeatable. Inspection commands then refuse bundles without a trusted signature.")
    List<Path> trust = new ArrayList<>();

    @Option(names = "--threshold", paramLabel = "K", defaultValue = "1",
            description = "Require signatures by K distinct trusted keys (default 1).")
    int threshold;

    @Option(names = "--check-validity",
            description = "Refuse certificates outside their validity dates (off by default, as in the kernel).")
    boolean checkValidity;

    @Option(names = "--min-serial", paramLabel = "N", defaultValue = "0",
            description = "Refuse bundles whose serial is below N (rollback protection).")
    long minSerial;

    @Option(names = "--allow-expired", description = "Accept a bundle whose signed statement has expired.")
    boolean allowExpired;

    boolean given() {
        return !trust.isEmpty();
    }

    /** The policy of these options; without --trust, the default trust directory's. */
    TrustPolicy policy() throws IOException {
        return policy(List.of());
    }

    /**
     * As {@link #policy()}, trusting {@code extraKeys} (files or folders) too: the keys of --layer-trust, which
     * may sign layers and nothing else.
     */
    TrustPolicy policy(List<Path> extraKeys) throws IOException {
        if (threshold < 1) {
            throw new ParameterException(mixee.commandLine(), "--threshold must be at least 1, not " + threshold);
        }
        TrustPolicy base;
        if (given() || !extraKeys.isEmpty()) {
            List<Path> keys = new ArrayList<>(given() ? trust
                    : java.nio.file.Files.isDirectory(TrustPolicy.DEFAULT_TRUST_DIRECTORY)
                    ? List.of(TrustPolicy.DEFAULT_TRUST_DIRECTORY) : List.of());
            keys.addAll(extraKeys);
            base = TrustPolicy.trusting(keys);
        } else {
            try {
                base = TrustPolicy.trustingDefaultDirectory();
            } catch (java.nio.file.NoSuchFileException e) {
                throw new IOException("no trusted keys: give --trust FILE|DIR or put public keys and certificates "
                        + "in " + TrustPolicy.DEFAULT_TRUST_DIRECTORY, e);
            }
        }
        return base.withThreshold(threshold).withCheckValidity(checkValidity).withMinSerial(minSerial)
                .withAllowExpired(allowExpired);
    }

    /** Opens for inspection: block hashes always, signatures when --trust is given. */
    Bundle open(String location) throws IOException {
        return open(location, List.of());
    }

    /** As {@link #open(String)}, trusting {@code extraKeys} too when signatures are checked. */
    Bundle open(String location, List<Path> extraKeys) throws IOException {
        refusePolicyWithoutTrust();
        return given() ? source.open(location, policy(extraKeys), Bundle.DEFAULT_CACHE_BYTES)
                : source.open(location, Bundle.DEFAULT_CACHE_BYTES);
    }

    /** A policy option without --trust would look like a check that is not made. */
    void refusePolicyWithoutTrust() {
        if (!given() && (threshold != 1 || checkValidity || minSerial != 0 || allowExpired)) {
            throw new ParameterException(mixee.commandLine(), "--threshold, --check-validity, --min-serial and "
                    + "--allow-expired apply to signatures: give --trust FILE|DIR too");
        }
    }
}
