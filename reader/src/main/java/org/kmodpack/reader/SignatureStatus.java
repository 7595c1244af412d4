package org.kmodpack.reader;

/**
 * What verification found for one signature of a bundle. {@code signer} names whom the signature claims
 * (a key id, or a certificate's issuer and serial); {@code trustedAs} the trust anchor it verified against,
 * or "" when it did not count; {@code keyId} the hex SHA-256 of the verifying key, or "".
 */
public record SignatureStatus(int number, String kind, String signer, Outcome outcome, String detail,
        String trustedAs, String keyId) {

    public enum Outcome {
        /** Verifies against a trusted key: counts. */
        TRUSTED,
        /** No trusted key or certificate matches the signer. */
        UNTRUSTED_SIGNER,
        /** A trusted key matches the signer, but the signature does not verify with it. */
        BAD_SIGNATURE,
        /** A key, digest or signature algorithm outside the allow-list (MD5, SHA-1, RSA < 2048, ...). */
        REFUSED_ALGORITHM,
        /** Under the check-validity policy: the trusted certificate is not valid now. */
        CERTIFICATE_NOT_VALID,
        /** The signature's bytes do not parse as its kind requires. */
        MALFORMED,
        /** A kind this reader does not know: reported, never counted. */
        UNKNOWN_KIND
    }

    public boolean trusted() {
        return outcome == Outcome.TRUSTED;
    }
}
