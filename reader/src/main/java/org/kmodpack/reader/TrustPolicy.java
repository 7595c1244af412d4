package org.kmodpack.reader;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;

/**
 * Which bundles {@link Bundle#open(Path, TrustPolicy)} accepts. By default: at least one valid signature by
 * a trusted key, any serial, certificate dates not checked (the kernel does not check them either: a
 * target's clock may be wrong), and an expired statement refused. Immutable; each {@code with} method
 * returns a changed copy.
 */
public record TrustPolicy(List<TrustAnchor> anchors, boolean allowUnsigned, int threshold, boolean checkValidity,
        long minSerial, boolean allowExpired, Clock clock) {
    /** Where trusted keys and certificates live when none are named. */
    public static final Path DEFAULT_TRUST_DIRECTORY = Path.of("/etc/kmodpack/trusted.d");

    public TrustPolicy {
        if (threshold < 1) {
            throw new IllegalArgumentException("threshold must be at least 1, not " + threshold);
        }
        anchors = List.copyOf(anchors);
    }

    /**
     * Trusts the public keys (PEM SPKI, e.g. from {@code kmodpack keygen}) and X.509 certificates (PEM or
     * DER, e.g. a kernel build's {@code certs/signing_key.x509}) in these files, and in the regular files
     * of these directories.
     */
    public static TrustPolicy trusting(List<Path> filesOrDirectories) throws IOException {
        return new TrustPolicy(TrustStore.load(filesOrDirectories), false, 1, false, 0, false, Clock.systemUTC());
    }

    /** Trusts what {@link #DEFAULT_TRUST_DIRECTORY} holds. */
    public static TrustPolicy trustingDefaultDirectory() throws IOException {
        return trusting(List.of(DEFAULT_TRUST_DIRECTORY));
    }

    /**
     * Accepts unsigned bundles, and signed ones whatever their signatures: for callers that decided to
     * trust the file by other means. Block and index hashes are checked all the same.
     */
    public static TrustPolicy allowingUnsigned() {
        return new TrustPolicy(List.of(), true, 1, false, 0, false, Clock.systemUTC());
    }

    /** Requires signatures by at least {@code k} distinct trusted keys. */
    public TrustPolicy withThreshold(int k) {
        return new TrustPolicy(anchors, allowUnsigned, k, checkValidity, minSerial, allowExpired, clock);
    }

    /** Refuses signatures whose trusted certificate is not valid at this moment. */
    public TrustPolicy withCheckValidity(boolean check) {
        return new TrustPolicy(anchors, allowUnsigned, threshold, check, minSerial, allowExpired, clock);
    }

    /** Refuses bundles whose serial is below {@code serial}: an attacker cannot roll back to an older one. */
    public TrustPolicy withMinSerial(long serial) {
        return new TrustPolicy(anchors, allowUnsigned, threshold, checkValidity, serial, allowExpired, clock);
    }

    /** Accepts a statement past its expiry. */
    public TrustPolicy withAllowExpired(boolean allow) {
        return new TrustPolicy(anchors, allowUnsigned, threshold, checkValidity, minSerial, allow, clock);
    }

    /** The clock that expiry and certificate dates are checked against. */
    public TrustPolicy withClock(Clock now) {
        return new TrustPolicy(anchors, allowUnsigned, threshold, checkValidity, minSerial, allowExpired, now);
    }

    /**
     * Checks a detached CMS (PKCS#7) signature over {@code content} against this policy's certificates, as a
     * bundle's CMS signature is checked: the same allow-list, the signer found by its exact issuer and serial
     * or subject key id, and certificate dates when {@link #withCheckValidity} asks for them. For signatures
     * made outside kmodpack, such as the one the kernel's sign-file appends to each module.
     */
    public SignatureStatus verifyDetachedCms(byte[] signature, byte[] content) {
        return CmsVerifier.verify(1, signature, content, anchors, checkValidity, clock.instant());
    }
}
