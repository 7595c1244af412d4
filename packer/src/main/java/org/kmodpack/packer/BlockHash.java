package org.kmodpack.packer;

import java.security.MessageDigest;
import java.util.Optional;
import jnr.ffi.LibraryLoader;
import jnr.ffi.Pointer;
import jnr.ffi.annotations.In;
import jnr.ffi.annotations.Out;
import jnr.ffi.annotations.Pinned;
import org.kmodpack.format.Sha256;

/**
 * The SHA-256 of each stored block and of the index, by OpenSSL's libcrypto where it loads (libssl3 is on every Debian system that
 * has apt's https or openssh), else by the JDK. The packer's JVM runs with C1 only (see the launcher), and C1 has
 * no intrinsic for SHA-256: the JDK's Java code hashed the stored blocks at about 120 MB/s, the largest share of
 * the packer's own CPU time after the codecs; libcrypto uses the CPU's SHA instructions.
 */
final class BlockHash {
    /** The one function used: SHA256(data, length, digest), which writes the 32-byte digest and returns it. */
    public interface Libcrypto {
        Pointer SHA256(@In @Pinned byte[] data, long length, @Out @Pinned byte[] digest);
    }

    private static final Optional<Libcrypto> LIBCRYPTO = load();

    private BlockHash() {
    }

    /** The SHA-256 of {@code bytes[0, length)}. */
    static byte[] of(byte[] bytes, int length) {
        byte[] digest = new byte[32];
        if (LIBCRYPTO.isPresent()) {
            LIBCRYPTO.get().SHA256(bytes, length, digest);
            return digest;
        }
        MessageDigest sha = Sha256.newDigest();
        sha.update(bytes, 0, length);
        return sha.digest();
    }

    /** libcrypto, or empty where it cannot be loaded or does not hash as SHA-256 should (checked on one vector). */
    private static Optional<Libcrypto> load() {
        try {
            Libcrypto crypto = LibraryLoader.create(Libcrypto.class).failImmediately().load("crypto");
            byte[] probe = "abc".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
            byte[] digest = new byte[32];
            crypto.SHA256(probe, probe.length, digest);
            return java.util.Arrays.equals(digest, Sha256.of(probe)) ? Optional.of(crypto) : Optional.empty();
        } catch (LinkageError | RuntimeException unavailable) {
            return Optional.empty();
        }
    }
}
