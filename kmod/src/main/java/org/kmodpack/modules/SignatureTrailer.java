package org.kmodpack.modules;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Optional;

/**
 * Where a module's appended signature lies: the kernel's struct module_signature (algo, hash, id_type,
 * signer_len, key_id_len, 3 bytes of padding, big-endian sig_len) and the "~Module signature appended~\n"
 * marker at the end of the (decompressed) module, with the signature, key id and signer before them.
 * Positions are indices into the module's bytes; the fields are as stored, unchecked beyond fitting the file.
 */
public record SignatureTrailer(int algorithm, int hash, int idType, int signerLength, int keyIdLength,
        boolean paddingZero, int signatureStart, int signatureLength) {
    /** id_type of a PKCS#7 signature: the only kind sign-file writes and the kernel accepts. */
    public static final int ID_PKCS7 = 2;
    private static final byte[] MAGIC = "~Module signature appended~\n".getBytes(StandardCharsets.US_ASCII);
    private static final int INFO_SIZE = 12;

    /** The trailer of {@code module}, or empty when it does not end with the marker or its lengths do not fit. */
    public static Optional<SignatureTrailer> find(byte[] module) {
        int info = module.length - MAGIC.length - INFO_SIZE;
        if (info < 0 || !hasMarker(module)) {
            return Optional.empty();
        }
        long signatureLength = ((module[info + 8] & 0xFFL) << 24) | ((module[info + 9] & 0xFF) << 16)
                | ((module[info + 10] & 0xFF) << 8) | (module[info + 11] & 0xFF);
        int signerLength = module[info + 3] & 0xFF;
        int keyIdLength = module[info + 4] & 0xFF;
        if (signatureLength == 0 || signerLength + keyIdLength + signatureLength > info) {
            return Optional.empty();
        }
        boolean paddingZero = module[info + 5] == 0 && module[info + 6] == 0 && module[info + 7] == 0;
        return Optional.of(new SignatureTrailer(module[info] & 0xFF, module[info + 1] & 0xFF,
                module[info + 2] & 0xFF, signerLength, keyIdLength, paddingZero,
                (int) (info - signatureLength), (int) signatureLength));
    }

    /**
     * Whether {@code module} ends with the marker. The kernel then checks the trailer before it, and refuses the
     * module (EBADMSG) when {@link #find} finds no trailer that fits: such a module is not unsigned but damaged.
     */
    public static boolean hasMarker(byte[] module) {
        return module.length >= MAGIC.length
                && Arrays.equals(module, module.length - MAGIC.length, module.length, MAGIC, 0, MAGIC.length);
    }

    public int signatureEnd() {
        return signatureStart + signatureLength;
    }

    /**
     * Whether the kernel would check this signature (mod_check_sig): PKCS#7, with algo, hash, signer and key
     * id lengths and padding all zero, since the PKCS#7 message itself names them. Then the signed content is
     * everything before {@link #signatureStart()}.
     */
    public boolean isKernelPkcs7() {
        return idType == ID_PKCS7 && algorithm == 0 && hash == 0 && signerLength == 0 && keyIdLength == 0
                && paddingZero;
    }
}
