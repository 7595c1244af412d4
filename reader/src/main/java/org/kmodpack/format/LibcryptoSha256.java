package org.kmodpack.format;

import java.nio.ByteBuffer;
import jnr.ffi.LibraryLoader;
import jnr.ffi.Pointer;
import jnr.ffi.annotations.In;
import jnr.ffi.annotations.Out;
import jnr.ffi.annotations.Pinned;

/**
 * SHA-256 by OpenSSL's libcrypto (libssl3, which systemd itself needs on Debian 12), with the CPU's SHA
 * instructions whatever the JIT does. The JDK's SHA-256 reaches those instructions only in C2-compiled code:
 * with the mount daemon's C1-only JIT it hashes at about 50 MB/s, and every block read is hashed. Absent
 * libcrypto, {@link #INSTANCE} is null and the JDK's digest is used.
 */
final class LibcryptoSha256 {
    /** The two libcrypto functions used; EVP_Digest is OpenSSL's one-shot digest (1.1 and 3). */
    public interface LibCrypto {
        Pointer EVP_sha256();

        int EVP_Digest(@Pinned @In byte[] data, long count, @Pinned @Out byte[] digest, Pointer size, Pointer type,
                Pointer engine);

        int EVP_Digest(@In ByteBuffer data, long count, @Pinned @Out byte[] digest, Pointer size, Pointer type,
                Pointer engine);
    }

    static final LibcryptoSha256 INSTANCE = load();

    private final LibCrypto libcrypto;
    private final Pointer sha256;

    private LibcryptoSha256(LibCrypto libcrypto) {
        this.libcrypto = libcrypto;
        this.sha256 = libcrypto.EVP_sha256();
    }

    private static LibcryptoSha256 load() {
        for (String name : new String[] {"libcrypto.so.3", "libcrypto.so.1.1", "crypto"}) {
            try {
                return new LibcryptoSha256(LibraryLoader.create(LibCrypto.class).failImmediately().load(name));
            } catch (LinkageError | RuntimeException e) {
                // try the next name; none found means the JDK's digest
            }
        }
        return null;
    }

    /** The digest of {@code bytes}, or null if libcrypto refused (then the caller uses the JDK's). */
    byte[] digest(byte[] bytes) {
        byte[] out = new byte[32];
        return libcrypto.EVP_Digest(bytes, bytes.length, out, null, sha256, null) == 1 ? out : null;
    }

    /** As {@link #digest(byte[])} for a direct buffer's remaining bytes (a mapped region of the bundle). */
    byte[] digest(ByteBuffer direct) {
        byte[] out = new byte[32];
        ByteBuffer from = direct.slice();
        int length = from.remaining();
        if (libcrypto.EVP_Digest(from, length, out, null, sha256, null) != 1) {
            return null;
        }
        direct.position(direct.limit());
        return out;
    }
}
