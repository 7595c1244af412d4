package org.kmodpack.reader;

import java.math.BigInteger;
import java.util.Map;
import java.util.Optional;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.DERNull;
import org.bouncycastle.asn1.edec.EdECObjectIdentifiers;
import org.bouncycastle.asn1.nist.NISTObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.RSAPublicKey;
import org.bouncycastle.asn1.sec.SECObjectIdentifiers;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;
import org.bouncycastle.operator.DefaultAlgorithmNameFinder;

/**
 * The allow-list of what may sign a bundle, shared by signing (refuse early) and verifying (never count):
 * Ed25519; RSA of at least 2048 bits or ECDSA on P-256/P-384, with SHA-256/384/512. MD5, SHA-1 and
 * everything else are refused by not being listed.
 */
public final class SignatureAlgorithms {
    public static final int MIN_RSA_BITS = 2048;
    private static final Map<ASN1ObjectIdentifier, String> DIGESTS = Map.of(
            NISTObjectIdentifiers.id_sha256, "sha256",
            NISTObjectIdentifiers.id_sha384, "sha384",
            NISTObjectIdentifiers.id_sha512, "sha512");
    /** ECDSA's signature algorithm identifier for each allowed digest. */
    private static final Map<ASN1ObjectIdentifier, ASN1ObjectIdentifier> ECDSA_WITH = Map.of(
            NISTObjectIdentifiers.id_sha256, X9ObjectIdentifiers.ecdsa_with_SHA256,
            NISTObjectIdentifiers.id_sha384, X9ObjectIdentifiers.ecdsa_with_SHA384,
            NISTObjectIdentifiers.id_sha512, X9ObjectIdentifiers.ecdsa_with_SHA512);
    /** PKCS#1 v1.5 RSA as CMS names it: rsaEncryption with NULL parameters. */
    public static final AlgorithmIdentifier CMS_RSA = new AlgorithmIdentifier(PKCSObjectIdentifiers.rsaEncryption,
            DERNull.INSTANCE);
    private static final Map<ASN1ObjectIdentifier, String> CURVES = Map.of(
            SECObjectIdentifiers.secp256r1, "p256",
            SECObjectIdentifiers.secp384r1, "p384");

    private SignatureAlgorithms() {
    }

    /** "sha512", or empty when the digest is not allowed or not spelled canonically (parameters absent). */
    static Optional<String> digest(AlgorithmIdentifier digest) {
        return digest.getParameters() != null ? Optional.empty()
                : Optional.ofNullable(DIGESTS.get(digest.getAlgorithm()));
    }

    /**
     * "rsa" or "ecdsa" when a CMS SignerInfo names its signature algorithm by the one spelling allowed for
     * its digest: rsaEncryption with NULL parameters, or ecdsa-with-SHAn (no parameters) matching the digest,
     * as openssl and the kernel's sign-file write them. The SignerInfo's algorithm fields are not covered by
     * the signature; one spelling each means they cannot be re-spelled (sha512WithRSAEncryption for
     * rsaEncryption, say) in a signature that still verifies.
     */
    static Optional<String> cmsSignature(AlgorithmIdentifier signature, AlgorithmIdentifier digest) {
        if (signature.equals(CMS_RSA)) {
            return Optional.of("rsa");
        }
        ASN1ObjectIdentifier ecdsa = ECDSA_WITH.get(digest.getAlgorithm());
        return ecdsa != null && signature.equals(new AlgorithmIdentifier(ecdsa)) ? Optional.of("ecdsa")
                : Optional.empty();
    }

    /** A readable name for an algorithm id, for messages that say what was refused. */
    public static String name(ASN1ObjectIdentifier oid) {
        return new DefaultAlgorithmNameFinder().getAlgorithmName(oid);
    }

    /**
     * Describes an allowed key ("rsa-4096", "ecdsa-p384", "ed25519"), or throws saying why it is refused.
     */
    public static String checkKey(SubjectPublicKeyInfo key) throws WeakAlgorithmException {
        ASN1ObjectIdentifier type = key.getAlgorithm().getAlgorithm();
        if (type.equals(EdECObjectIdentifiers.id_Ed25519)) {
            return "ed25519";
        }
        if (type.equals(PKCSObjectIdentifiers.rsaEncryption)) {
            int bits;
            try {
                BigInteger modulus = RSAPublicKey.getInstance(key.parsePublicKey()).getModulus();
                bits = modulus.bitLength();
            } catch (java.io.IOException | IllegalArgumentException e) {
                throw new WeakAlgorithmException("RSA public key does not parse: " + e.getMessage());
            }
            if (bits < MIN_RSA_BITS) {
                throw new WeakAlgorithmException("RSA key of " + bits + " bits is refused (at least "
                        + MIN_RSA_BITS + ")");
            }
            return "rsa-" + bits;
        }
        if (type.equals(X9ObjectIdentifiers.id_ecPublicKey)) {
            String curve = key.getAlgorithm().getParameters() instanceof ASN1ObjectIdentifier named
                    ? CURVES.get(named) : null;
            if (curve == null) {
                throw new WeakAlgorithmException("ECDSA key on curve " + key.getAlgorithm().getParameters()
                        + " is refused (P-256 or P-384 only)");
            }
            return "ecdsa-" + curve;
        }
        throw new WeakAlgorithmException("key type " + name(type) + " is refused (Ed25519, RSA >= "
                + MIN_RSA_BITS + " or ECDSA P-256/P-384)");
    }

    /** A key or algorithm outside the allow-list. */
    public static final class WeakAlgorithmException extends Exception {
        private static final long serialVersionUID = 1L;

        WeakAlgorithmException(String message) {
            super(message);
        }
    }
}
