package org.kmodpack.reader;

import java.security.PublicKey;
import java.util.HexFormat;
import org.bouncycastle.cert.X509CertificateHolder;

/**
 * A key the user trusts, from a trust file: a bare public key (Ed25519) or a certificate (CMS signers). The
 * key id is the SHA-256 of the key's SubjectPublicKeyInfo, so the same key met twice counts once.
 */
record TrustAnchor(PublicKey key, byte[] keyId, X509CertificateHolder certificate, String source) {
    String describe() {
        String who = certificate != null ? "certificate '" + certificate.getSubject() + "'"
                : "public key " + shortId(keyId);
        return who + " from " + source;
    }

    static String shortId(byte[] keyId) {
        return HexFormat.of().formatHex(keyId, 0, 8);
    }
}
