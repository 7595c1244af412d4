package org.kmodpack.modules;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.bouncycastle.asn1.ASN1Encoding;
import org.bouncycastle.asn1.ASN1InputStream;
import org.bouncycastle.asn1.cms.ContentInfo;
import org.bouncycastle.asn1.x500.AttributeTypeAndValue;
import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.cms.CMSException;
import org.bouncycastle.cms.CMSSignedData;
import org.bouncycastle.cms.SignerInformation;
import org.kmodpack.format.ModinfoField;

/**
 * The signature appended to a module ({@link SignatureTrailer}) as kmod 30 built with OpenSSL
 * reports it: sig_id, signer, sig_key, sig_hashalgo, signature. For PKCS#7 (what the kernel's sign-file writes)
 * the fields come from the first SignerInfo: signer = the issuer's CN, sig_key = the serial number's bytes,
 * the digest algorithm and the encrypted digest. A signature kmod cannot parse yields no fields, as in kmod.
 */
final class SignatureFields {
    private static final String[] ALGORITHMS = {"DSA", "RSA"};
    private static final String[] HASHES = {"md4", "md5", "sha1", "rmd160", "sha256", "sha384", "sha512", "sha224",
        "sm3"};
    private static final String[] ID_TYPES = {"PGP", "X509", "PKCS#7"};
    /** The digest algorithms OpenSSL names as kmod prints them. */
    private static final Map<String, String> HASH_BY_OID = Map.of("1.2.840.113549.2.4", "md4",
            "1.2.840.113549.2.5", "md5", "1.3.14.3.2.26", "sha1", "1.3.36.3.2.1", "rmd160",
            "2.16.840.1.101.3.4.2.1", "sha256", "2.16.840.1.101.3.4.2.2", "sha384", "2.16.840.1.101.3.4.2.3", "sha512",
            "2.16.840.1.101.3.4.2.4", "sha224", "1.2.156.10197.1.401", "sm3");

    private SignatureFields() {
    }

    /**
     * The fields, or none. With {@code signatureByReference} (the module is stored uncompressed, so the bundle
     * holds these very bytes) the signature value is recorded as its range in the file instead of its bytes.
     */
    static List<ModinfoField> fields(byte[] module, boolean signatureByReference) {
        Optional<SignatureTrailer> found = SignatureTrailer.find(module);
        if (found.isEmpty()) {
            return List.of();
        }
        SignatureTrailer trailer = found.get();
        if (trailer.algorithm() >= ALGORITHMS.length || trailer.hash() >= HASHES.length
                || trailer.idType() >= ID_TYPES.length) {
            return List.of();
        }
        int sigStart = trailer.signatureStart();
        if (trailer.idType() == SignatureTrailer.ID_PKCS7) {
            return pkcs7(module, sigStart, trailer.signatureEnd(), signatureByReference);
        }
        int keyStart = sigStart - trailer.keyIdLength();
        int signerStart = keyStart - trailer.signerLength();
        return fields(ID_TYPES[trailer.idType()], Arrays.copyOfRange(module, signerStart, keyStart),
                Arrays.copyOfRange(module, keyStart, sigStart), HASHES[trailer.hash()],
                signature(module, sigStart, trailer.signatureLength(), signatureByReference));
    }

    private static ModinfoField signature(byte[] module, int start, int length, boolean byReference) {
        return byReference ? ModinfoField.inFile("signature", start, length, true)
                : new ModinfoField("signature", Arrays.copyOfRange(module, start, start + length), true);
    }

    private static List<ModinfoField> fields(String idType, byte[] signer, byte[] keyId, String hash,
            ModinfoField signature) {
        List<ModinfoField> info = new ArrayList<>(5);
        info.add(new ModinfoField("sig_id", ascii(idType), false));
        info.add(new ModinfoField("signer", signer, false));
        info.add(new ModinfoField("sig_key", keyId, true));
        info.add(new ModinfoField("sig_hashalgo", ascii(hash), false));
        info.add(signature);
        return info;
    }

    /**
     * The first SignerInfo of the PKCS#7 message (read with Bouncy Castle's CMS, as kmod reads it with OpenSSL's
     * d2i_PKCS7: one message, whatever follows it): the issuer's name, the serial number, the digest algorithm
     * and the encrypted digest. A message that does not parse, or a signer named by key id, which PKCS#7 cannot
     * express, gives no fields, as in kmod.
     */
    private static List<ModinfoField> pkcs7(byte[] module, int start, int end, boolean signatureByReference) {
        SignerInformation signer;
        try (ASN1InputStream in = new ASN1InputStream(new ByteArrayInputStream(module, start, end - start),
                end - start)) {
            CMSSignedData message = new CMSSignedData(ContentInfo.getInstance(in.readObject()));
            Iterator<SignerInformation> signers = message.getSignerInfos().getSigners().iterator();
            if (!signers.hasNext()) {
                return List.of();
            }
            signer = signers.next();
        } catch (CMSException | IOException | RuntimeException malformed) {
            return List.of();
        }
        X500Name issuer = signer.getSID().getIssuer();
        BigInteger serial = signer.getSID().getSerialNumber();
        String hash = HASH_BY_OID.get(signer.getDigestAlgOID());
        if (issuer == null || serial == null || hash == null) {
            return List.of();
        }
        byte[] signature = signer.getSignature();
        // The encrypted digest is the message's last OCTET STRING but for rare unsigned attributes: its last copy.
        int at = lastIndexOf(module, start, end, signature);
        byte[] commonName;
        try {
            commonName = commonName(issuer);
        } catch (IOException | RuntimeException malformed) {
            // Bouncy Castle parses a name's attributes when they are read (IllegalArgumentException for a
            // malformed one); OpenSSL refuses such a message whole, and kmod then prints no signature fields.
            return List.of();
        }
        return fields(ID_TYPES[SignatureTrailer.ID_PKCS7], commonName, unsignedMagnitude(serial.toByteArray()), hash,
                signature(module, at, signature.length, signatureByReference));
    }

    /**
     * kmod takes the first commonName of the issuer; with none it takes the last attribute's value (its loop
     * leaves the last entry selected), its bytes as encoded, up to its first NUL as C strings go.
     */
    private static byte[] commonName(X500Name name) throws IOException {
        byte[] chosen = new byte[0];
        for (RDN rdn : name.getRDNs()) {
            for (AttributeTypeAndValue attribute : rdn.getTypesAndValues()) {
                chosen = contents(attribute.getValue().toASN1Primitive().getEncoded(ASN1Encoding.DER));
                if (attribute.getType().equals(BCStyle.CN)) {
                    return untilNul(chosen);
                }
            }
        }
        return untilNul(chosen);
    }

    /** The contents of an encoded string: what follows its tag and length. */
    private static byte[] contents(byte[] encoded) {
        int lengthByte = encoded[1] & 0xFF;
        int header = 2 + (lengthByte < 0x80 ? 0 : lengthByte & 0x7F);
        return Arrays.copyOfRange(encoded, header, encoded.length);
    }

    private static int lastIndexOf(byte[] bytes, int from, int to, byte[] wanted) {
        for (int at = to - wanted.length; at >= from; at--) {
            if (Arrays.equals(bytes, at, at + wanted.length, wanted, 0, wanted.length)) {
                return at;
            }
        }
        throw new IllegalStateException("the signer's signature is not inside the message it was read from");
    }

    private static byte[] untilNul(byte[] value) {
        for (int i = 0; i < value.length; i++) {
            if (value[i] == 0) {
                return Arrays.copyOf(value, i);
            }
        }
        return value;
    }

    /** BN_bn2bin of the serial: big-endian magnitude without leading zero bytes (empty for zero). */
    private static byte[] unsignedMagnitude(byte[] integer) {
        int start = 0;
        while (start < integer.length && integer[start] == 0) {
            start++;
        }
        return Arrays.copyOfRange(integer, start, integer.length);
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
