package org.kmodpack.format;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/** SHA-256, the one hash of the format: block hashes, the index hash, the statement's hashes, key ids. */
public final class Sha256 {
    private Sha256() {
    }

    /** Bytes in a SHA-256 digest. */
    public static final int LENGTH = 32;

    public static MessageDigest newDigest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }

    public static byte[] of(byte[] bytes) {
        return newDigest().digest(bytes);
    }
}
