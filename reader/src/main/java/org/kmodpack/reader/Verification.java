package org.kmodpack.reader;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * The result of checking a bundle's signatures against a trust policy. {@code refusal} is empty when the
 * policy accepts the bundle, and otherwise says why not in words a user can act on.
 */
public record Verification(boolean signed, long serial, Optional<Instant> expires, List<SignatureStatus> signatures,
        int trustedKeys, Optional<String> refusal) {

    public Verification {
        signatures = List.copyOf(signatures);
    }

    public boolean accepted() {
        return refusal.isEmpty();
    }
}
