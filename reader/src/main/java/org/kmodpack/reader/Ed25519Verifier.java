package org.kmodpack.reader;

import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.Signature;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import org.kmodpack.reader.SignatureStatus.Outcome;

/**
 * Kind 1: the signer's key id (SHA-256 of its SubjectPublicKeyInfo, 32 bytes) then the Ed25519 signature of
 * the statement (64 bytes). The key id only picks the trusted key to try; the signature decides.
 */
final class Ed25519Verifier {
    static final int KEY_ID_LENGTH = 32;
    static final int SIGNATURE_LENGTH = 64;

    private Ed25519Verifier() {
    }

    static SignatureStatus verify(int number, byte[] body, byte[] statement, List<TrustAnchor> anchors) {
        if (body.length != KEY_ID_LENGTH + SIGNATURE_LENGTH) {
            return new SignatureStatus(number, "ed25519", "?", Outcome.MALFORMED, "is " + body.length
                    + " bytes, not " + (KEY_ID_LENGTH + SIGNATURE_LENGTH), "", "");
        }
        byte[] keyId = Arrays.copyOf(body, KEY_ID_LENGTH);
        String hexId = HexFormat.of().formatHex(keyId);
        String signer = "key " + TrustAnchor.shortId(keyId);
        boolean matched = false;
        for (TrustAnchor anchor : anchors) {
            if (!MessageDigest.isEqual(anchor.keyId(), keyId) || !anchor.key().getAlgorithm().equals("EdDSA")
                    && !anchor.key().getAlgorithm().equals("Ed25519")) {
                continue;
            }
            matched = true;
            try {
                Signature check = Signature.getInstance("Ed25519");
                check.initVerify(anchor.key());
                check.update(statement);
                if (check.verify(body, KEY_ID_LENGTH, SIGNATURE_LENGTH)) {
                    return new SignatureStatus(number, "ed25519", signer, Outcome.TRUSTED, "verifies",
                            anchor.describe(), hexId);
                }
            } catch (GeneralSecurityException e) {
                // A signature the provider cannot even process is simply not valid.
            }
        }
        return matched
                ? new SignatureStatus(number, "ed25519", signer, Outcome.BAD_SIGNATURE,
                        "does not verify with the trusted key of that id", "", hexId)
                : new SignatureStatus(number, "ed25519", signer, Outcome.UNTRUSTED_SIGNER,
                        "no trusted key has id " + hexId, "", hexId);
    }
}
