package org.kmodpack.format;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/** SHA-256, the one hash of the format: block hashes, the index hash, the statement's hashes, key ids. */
public final class Sha256 {
    /** Below this, loading libcrypto costs more than the JDK's digest (small bundles, statements, key ids). */
    private static final int NATIVE_FROM_BYTES = 64 << 10;

    private Sha256() {
    }

    public static MessageDigest newDigest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }

    /** The digest of {@code bytes}; a block's worth or more goes to libcrypto when it is there. */
    public static byte[] of(byte[] bytes) {
        if (bytes.length >= NATIVE_FROM_BYTES && LibcryptoSha256.INSTANCE != null) {
            byte[] digest = LibcryptoSha256.INSTANCE.digest(bytes);
            if (digest != null) {
                return digest;
            }
        }
        return newDigest().digest(bytes);
    }

    /** The digest of the buffer's remaining bytes; as {@link #of(byte[])}, for mapped (direct) buffers. */
    public static byte[] of(ByteBuffer buffer) {
        if (buffer.isDirect() && buffer.remaining() >= NATIVE_FROM_BYTES && LibcryptoSha256.INSTANCE != null) {
            byte[] digest = LibcryptoSha256.INSTANCE.digest(buffer);
            if (digest != null) {
                return digest;
            }
        }
        MessageDigest digest = newDigest();
        digest.update(buffer);
        return digest.digest();
    }
}
