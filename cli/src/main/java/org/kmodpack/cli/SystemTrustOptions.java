package org.kmodpack.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
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
        return source.open(location, signatures.policy(extraKeys), cacheBytes);
    }

    private static Bundle checked(Bundle bundle, TrustPolicy policy) throws SignatureRefusedException {
        Verification verification = bundle.verifySignatures(policy);
        if (!verification.accepted()) {
            throw new SignatureRefusedException(bundle.toString(), verification.refusal().orElseThrow());
        }
        return bundle;
    }
}
