package org.kmodpack.reader;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.kmodpack.format.SignatureBlock;
import org.kmodpack.format.Statement;

/**
 * Checks each signature of a block against the policy's trust anchors and decides whether the policy
 * accepts the bundle. Unknown kinds are listed and never count; the same key signing twice counts once.
 */
final class SignatureChecker {
    private SignatureChecker() {
    }

    static Verification check(SignatureBlock block, TrustPolicy policy) {
        if (block == null) {
            return new Verification(false, 0, Optional.empty(), List.of(), 0, policy.allowUnsigned()
                    ? Optional.empty()
                    : Optional.of("the bundle is unsigned: sign it (kmodpack sign) or allow unsigned bundles "
                            + "explicitly"));
        }
        Instant now = policy.clock().instant();
        byte[] statementBytes = block.statementBytes();
        List<SignatureStatus> statuses = new ArrayList<>();
        Set<String> trustedKeys = new HashSet<>();
        List<SignatureBlock.Signature> signatures = block.signatures();
        for (int i = 0; i < signatures.size(); i++) {
            SignatureBlock.Signature signature = signatures.get(i);
            int number = i + 1;
            SignatureStatus status = switch (signature.kind()) {
                case SignatureBlock.KIND_ED25519 ->
                        Ed25519Verifier.verify(number, signature.body(), statementBytes, policy.anchors());
                case SignatureBlock.KIND_CMS -> CmsVerifier.verify(number, signature.body(), statementBytes,
                        policy.anchors(), policy.checkValidity(), now);
                default -> new SignatureStatus(number, "kind " + signature.kind(), "?",
                        SignatureStatus.Outcome.UNKNOWN_KIND, "unknown to this kmodpack; not counted", "", "");
            };
            statuses.add(status);
            if (status.trusted()) {
                trustedKeys.add(status.keyId());
            }
        }
        Statement statement = block.statement();
        Optional<Instant> expires = statement.expires()
                ? Optional.of(Instant.ofEpochSecond(statement.expiresEpochSecond()))
                : Optional.empty();
        return new Verification(true, statement.serial(), expires, statuses, trustedKeys.size(),
                refusal(statement, expires, trustedKeys.size(), policy, now));
    }

    private static Optional<String> refusal(Statement statement, Optional<Instant> expires, int trusted,
            TrustPolicy policy, Instant now) {
        if (policy.allowUnsigned()) {
            return Optional.empty();
        }
        if (trusted < policy.threshold()) {
            return Optional.of(trusted + " trusted signature" + (trusted == 1 ? "" : "s") + " where "
                    + policy.threshold() + " distinct trusted key" + (policy.threshold() == 1 ? " is" : "s are")
                    + " required; trust the signer's public key or certificate (--trust)");
        }
        if (statement.serial() < policy.minSerial()) {
            return Optional.of("serial " + statement.serial() + " is below the minimum " + policy.minSerial()
                    + ": an older bundle than allowed (rollback)");
        }
        if (expires.isPresent() && now.isAfter(expires.get()) && !policy.allowExpired()) {
            return Optional.of("the signed statement expired at " + expires.get()
                    + "; repack and sign, or accept it with --allow-expired");
        }
        return Optional.empty();
    }
}
