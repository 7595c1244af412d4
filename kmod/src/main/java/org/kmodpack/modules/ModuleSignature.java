package org.kmodpack.modules;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.kmodpack.format.ModinfoField;
import org.kmodpack.modules.AppendedSignature;

/**
 * The signature appended to a module ({@link AppendedSignature}) as kmod 30 built with OpenSSL
 * reports it: sig_id, signer, sig_key, sig_hashalgo, signature. For PKCS#7 (what the kernel's sign-file writes)
 * the fields come from the first SignerInfo: signer = the issuer's CN, sig_key = the serial number's bytes,
 * the digest algorithm and the encrypted digest. A signature kmod cannot parse yields no fields, as in kmod.
 */
final class ModuleSignature {
    private static final String[] ALGORITHMS = {"DSA", "RSA"};
    private static final String[] HASHES = {"md4", "md5", "sha1", "rmd160", "sha256", "sha384", "sha512", "sha224",
        "sm3"};
    private static final String[] ID_TYPES = {"PGP", "X509", "PKCS#7"};

    private ModuleSignature() {
    }

    /**
     * The fields, or none. With {@code signatureByReference} (the module is stored uncompressed, so the bundle
     * holds these very bytes) the signature value is recorded as its range in the file instead of its bytes.
     */
    static List<ModinfoField> fields(byte[] module, boolean signatureByReference) {
        Optional<AppendedSignature> found = AppendedSignature.find(module);
        if (found.isEmpty()) {
            return List.of();
        }
        AppendedSignature trailer = found.get();
        if (trailer.algorithm() >= ALGORITHMS.length || trailer.hash() >= HASHES.length
                || trailer.idType() >= ID_TYPES.length) {
            return List.of();
        }
        int sigStart = trailer.signatureStart();
        if (trailer.idType() == AppendedSignature.ID_PKCS7) {
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

    private static List<ModinfoField> fields(String idType, byte[] signer, byte[] keyId, String hash, ModinfoField signature) {
        List<ModinfoField> info = new ArrayList<>(5);
        info.add(new ModinfoField("sig_id", ascii(idType), false));
        info.add(new ModinfoField("signer", signer, false));
        info.add(new ModinfoField("sig_key", keyId, true));
        info.add(new ModinfoField("sig_hashalgo", ascii(hash), false));
        info.add(signature);
        return info;
    }

    /** ContentInfo → SignedData → signerInfos[0]: issuerAndSerialNumber, digestAlgorithm, encryptedDigest. */
    private static List<ModinfoField> pkcs7(byte[] module, int start, int end, boolean signatureByReference) {
        try {
            Der contentInfo = Der.read(module, start, end).expect(0x30);
            Der oid = contentInfo.first().expect(0x06);
            Der explicit = oid.next().expect(0xA0);
            Der signedData = explicit.first().expect(0x30);
            Der item = signedData.first().expect(0x02); // version
            item = item.next().expect(0x31); // digestAlgorithms
            item = item.next().expect(0x30); // contentInfo
            item = item.next();
            while (item.tag == 0xA0 || item.tag == 0xA1) { // certificates, crls
                item = item.next();
            }
            Der signerInfo = item.expect(0x31).first().expect(0x30);
            Der issuerAndSerial = signerInfo.first().expect(0x02).next().expect(0x30);
            Der issuer = issuerAndSerial.first().expect(0x30);
            Der serial = issuer.next().expect(0x02);
            Der digestAlgorithm = issuerAndSerial.next().expect(0x30);
            Der after = digestAlgorithm.next();
            if (after.tag == 0xA0) { // authenticated attributes
                after = after.next();
            }
            Der encryptedDigest = after.expect(0x30).next().expect(0x04);
            String hash = hashName(digestAlgorithm.first().expect(0x06).value());
            if (hash == null) {
                return List.of();
            }
            return fields(ID_TYPES[AppendedSignature.ID_PKCS7], commonName(issuer), unsignedMagnitude(serial.value()),
                    hash,
                    signature(module, encryptedDigest.contentStart, encryptedDigest.length, signatureByReference));
        } catch (IllegalArgumentException | IndexOutOfBoundsException malformed) {
            return List.of();
        }
    }

    /**
     * kmod takes the first commonName of the issuer; with none it takes the last attribute's value (its loop
     * leaves the last entry selected), up to its first NUL as C strings go.
     */
    private static byte[] commonName(Der name) {
        byte[] chosen = new byte[0];
        if (name.length == 0) {
            return chosen;
        }
        for (Der set = name.first(); set != null; set = set.nextOrNull()) {
            for (Der attribute = set.first(); attribute != null; attribute = attribute.nextOrNull()) {
                Der type = attribute.first().expect(0x06);
                chosen = type.next().value();
                if (Arrays.equals(type.value(), new byte[] {0x55, 0x04, 0x03})) {
                    return untilNul(chosen);
                }
            }
        }
        return untilNul(chosen);
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

    private static String hashName(byte[] oid) {
        String dotted = oidString(oid);
        return switch (dotted) {
            case "1.2.840.113549.2.4" -> "md4";
            case "1.2.840.113549.2.5" -> "md5";
            case "1.3.14.3.2.26" -> "sha1";
            case "1.3.36.3.2.1" -> "rmd160";
            case "2.16.840.1.101.3.4.2.1" -> "sha256";
            case "2.16.840.1.101.3.4.2.2" -> "sha384";
            case "2.16.840.1.101.3.4.2.3" -> "sha512";
            case "2.16.840.1.101.3.4.2.4" -> "sha224";
            case "1.2.156.10197.1.401" -> "sm3";
            default -> null;
        };
    }

    private static String oidString(byte[] oid) {
        StringBuilder out = new StringBuilder();
        long value = 0;
        boolean first = true;
        for (byte b : oid) {
            value = (value << 7) | (b & 0x7F);
            if ((b & 0x80) == 0) {
                if (first) {
                    long top = Math.min(value / 40, 2);
                    out.append(top).append('.').append(value - top * 40);
                    first = false;
                } else {
                    out.append('.').append(value);
                }
                value = 0;
            }
        }
        return out.toString();
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    /** One DER element (definite lengths only) inside the window [start, limit) of {@code bytes}. */
    private static final class Der {
        final byte[] bytes;
        final int tag;
        final int contentStart;
        final int length;
        final int limit;

        private Der(byte[] bytes, int tag, int contentStart, int length, int limit) {
            this.bytes = bytes;
            this.tag = tag;
            this.contentStart = contentStart;
            this.length = length;
            this.limit = limit;
        }

        static Der read(byte[] bytes, int at, int limit) {
            if (at + 2 > limit) {
                throw new IllegalArgumentException("truncated DER");
            }
            int tag = bytes[at] & 0xFF;
            int first = bytes[at + 1] & 0xFF;
            int position = at + 2;
            long length;
            if (first < 0x80) {
                length = first;
            } else {
                int n = first & 0x7F;
                if (n == 0 || n > 4 || position + n > limit) {
                    throw new IllegalArgumentException("unsupported DER length");
                }
                length = 0;
                for (int i = 0; i < n; i++) {
                    length = (length << 8) | (bytes[position++] & 0xFF);
                }
            }
            if (length > limit - position) {
                throw new IllegalArgumentException("DER element overruns its container");
            }
            return new Der(bytes, tag, position, (int) length, limit);
        }

        Der expect(int wanted) {
            if (tag != wanted) {
                throw new IllegalArgumentException("DER tag " + tag + " where " + wanted + " was expected");
            }
            return this;
        }

        Der first() {
            return read(bytes, contentStart, contentStart + length);
        }

        Der next() {
            return read(bytes, contentStart + length, limit);
        }

        Der nextOrNull() {
            return contentStart + length < limit ? next() : null;
        }

        byte[] value() {
            return Arrays.copyOfRange(bytes, contentStart, contentStart + length);
        }
    }
}
