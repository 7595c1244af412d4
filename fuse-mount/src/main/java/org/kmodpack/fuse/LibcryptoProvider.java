package org.kmodpack.fuse;

import java.lang.ref.Cleaner;
import java.nio.ByteBuffer;
import java.security.MessageDigestSpi;
import java.security.Provider;
import java.security.Security;
import java.util.Optional;
import jnr.ffi.LibraryLoader;
import jnr.ffi.Pointer;
import jnr.ffi.annotations.In;
import jnr.ffi.annotations.Out;
import jnr.ffi.annotations.Pinned;

/**
 * SHA-256 by OpenSSL's libcrypto (libssl3, which systemd itself needs on Debian 12), offered to the JDK as a
 * security provider. The JDK's own SHA-256 reaches the CPU's SHA instructions only in C2-compiled code; the mount
 * daemon runs C1 only (it starts faster) and hashes every block it reads, which the JDK's digest then does at
 * about 50 MB/s. Installed first, this provider answers {@code MessageDigest.getInstance("SHA-256")} in the
 * daemon, so the reader's hashing is unchanged and needs no native code of its own.
 */
public final class LibcryptoProvider extends Provider {
    private static final long serialVersionUID = 1L;

    /** The libcrypto functions used: OpenSSL's streaming digest API (1.1 and 3). */
    public interface LibCrypto {
        Pointer EVP_sha256();

        Pointer EVP_MD_CTX_new();

        void EVP_MD_CTX_free(Pointer context);

        int EVP_DigestInit_ex(Pointer context, Pointer type, Pointer engine);

        int EVP_DigestUpdate(Pointer context, @In ByteBuffer data, long count);

        int EVP_DigestUpdate(Pointer context, @Pinned @In byte[] data, long count);

        int EVP_DigestFinal_ex(Pointer context, @Pinned @Out byte[] digest, Pointer size);
    }

    private static final Cleaner CLEANER = Cleaner.create();

    private final transient LibCrypto libcrypto;
    private final transient Pointer sha256;

    private LibcryptoProvider(LibCrypto libcrypto) {
        super("KmodpackLibcrypto", "1.0", "SHA-256 by OpenSSL's libcrypto");
        this.libcrypto = libcrypto;
        this.sha256 = libcrypto.EVP_sha256();
        putService(new Service(this, "MessageDigest", "SHA-256", Sha256Spi.class.getName(), null, null) {
            @Override
            public Object newInstance(Object ignored) {
                return new Sha256Spi(LibcryptoProvider.this.libcrypto, sha256);
            }
        });
    }

    /** The provider, when libcrypto can be loaded. */
    public static Optional<LibcryptoProvider> load() {
        for (String name : new String[] {"libcrypto.so.3", "libcrypto.so.1.1", "crypto"}) {
            try {
                return Optional.of(new LibcryptoProvider(
                        LibraryLoader.create(LibCrypto.class).failImmediately().load(name)));
            } catch (LinkageError | RuntimeException e) {
                // try the next name; none found leaves the JDK's digest in place
            }
        }
        return Optional.empty();
    }

    /** Makes libcrypto this JVM's first choice for SHA-256, when it is there; otherwise the JDK's stays. */
    public static void installFirst() {
        load().ifPresent(provider -> Security.insertProviderAt(provider, 1));
    }

    /** One digest in progress: an EVP_MD_CTX made at the first update and freed by digest, reset or the cleaner. */
    private static final class Sha256Spi extends MessageDigestSpi {
        private final LibCrypto libcrypto;
        private final Pointer type;
        private final Context context;

        Sha256Spi(LibCrypto libcrypto, Pointer type) {
            this.libcrypto = libcrypto;
            this.type = type;
            this.context = new Context(libcrypto);
            CLEANER.register(this, context);
        }

        @Override
        protected int engineGetDigestLength() {
            return 32;
        }

        @Override
        protected void engineUpdate(byte input) {
            engineUpdate(new byte[] {input}, 0, 1);
        }

        @Override
        protected void engineUpdate(byte[] input, int offset, int length) {
            byte[] bytes = offset == 0 ? input : java.util.Arrays.copyOfRange(input, offset, offset + length);
            check(libcrypto.EVP_DigestUpdate(started(), bytes, length), "EVP_DigestUpdate");
        }

        @Override
        protected void engineUpdate(ByteBuffer input) {
            if (!input.isDirect()) {
                super.engineUpdate(input);
                return;
            }
            ByteBuffer from = input.slice();
            check(libcrypto.EVP_DigestUpdate(started(), from, from.remaining()), "EVP_DigestUpdate");
            input.position(input.limit());
        }

        @Override
        protected byte[] engineDigest() {
            byte[] out = new byte[32];
            check(libcrypto.EVP_DigestFinal_ex(started(), out, null), "EVP_DigestFinal_ex");
            context.run();
            return out;
        }

        @Override
        protected void engineReset() {
            context.run();
        }

        private Pointer started() {
            if (context.pointer == null) {
                Pointer pointer = libcrypto.EVP_MD_CTX_new();
                if (pointer == null) {
                    throw new IllegalStateException("libcrypto could not allocate a digest context");
                }
                context.pointer = pointer;
                check(libcrypto.EVP_DigestInit_ex(pointer, type, null), "EVP_DigestInit_ex");
            }
            return context.pointer;
        }

        private static void check(int result, String function) {
            if (result != 1) {
                throw new IllegalStateException("libcrypto's " + function + " failed");
            }
        }
    }

    /** The native context, freed once: by the digest that finishes with it or by the cleaner. */
    private static final class Context implements Runnable {
        private final LibCrypto libcrypto;
        private Pointer pointer;

        Context(LibCrypto libcrypto) {
            this.libcrypto = libcrypto;
        }

        @Override
        public void run() {
            if (pointer != null) {
                libcrypto.EVP_MD_CTX_free(pointer);
                pointer = null;
            }
        }
    }
}
