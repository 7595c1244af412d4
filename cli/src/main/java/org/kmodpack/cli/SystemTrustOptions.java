package org.kmodpack.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.kmodpack.reader.Bundle;
import org.kmodpack.reader.SignatureRefusedException;
import org.kmodpack.reader.TrustPolicy;
import org.kmodpack.reader.Verification;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The trust options of commands that hand modules to the system (mount, modprobe, insmod, initramfs): the
 * signature options every reading command has, and --allow-unsigned, which only these need.
 */
final class SystemTrustOptions {
    @Mixin
    TrustOptions signatures;

    @Option(names = "--allow-unsigned",
            description = "Accept a bundle that carries no signature (a signed one must still verify with --trust).")
    boolean allowUnsigned;

    /**
     * A trusted signature is required unless --allow-unsigned; even then a signed bundle must verify when
     * --trust is given.
     */
    Bundle open(String location, long cacheBytes) throws IOException {
        return open(location, cacheBytes, List.of());
    }

    /** As {@link #open(String, long)}, trusting {@code extraKeys} (--layer-trust) too. */
    Bundle open(String location, long cacheBytes, List<Path> extraKeys) throws IOException {
        SourceOptions source = signatures.source;
        if (allowUnsigned) {
            Bundle bundle = source.open(location, cacheBytes);
            try {
                if (!bundle.isSigned() || !signatures.given() && extraKeys.isEmpty()) {
                    return checked(bundle, TrustPolicy.allowingUnsigned());
                }
                return checked(bundle, signatures.policy(extraKeys));
            } catch (IOException | RuntimeException e) {
                bundle.close();
                throw e;
            }
        }
        // The bundle is opened (a remote one's HTTP client started, its header, index and signature block fetched)
        // while the trusted keys are read; nothing of it is used before its signatures pass.
        CompletableFuture<Bundle> opening = CompletableFuture.supplyAsync(() -> {
            try {
                return source.open(location, cacheBytes);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        TrustPolicy policy;
        try {
            policy = signatures.policy(extraKeys);
        } catch (IOException | RuntimeException e) {
            try {
                opened(opening).close();
            } catch (IOException | RuntimeException ignored) {
                // the keys' failure is the one to report
            }
            throw e;
        }
        Bundle bundle = opened(opening);
        try {
            return checked(bundle, policy);
        } catch (IOException | RuntimeException e) {
            bundle.close();
            throw e;
        }
    }

    private static Bundle opened(CompletableFuture<Bundle> opening) throws IOException {
        try {
            return opening.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof UncheckedIOException unchecked) {
                throw unchecked.getCause();
            }
            throw e.getCause() instanceof RuntimeException runtime ? runtime : e;
        }
    }

    private static Bundle checked(Bundle bundle, TrustPolicy policy) throws SignatureRefusedException {
        Verification verification = bundle.verifySignatures(policy);
        if (!verification.accepted()) {
            throw new SignatureRefusedException(bundle.toString(), verification.refusal().orElseThrow());
        }
        return bundle;
    }
}
