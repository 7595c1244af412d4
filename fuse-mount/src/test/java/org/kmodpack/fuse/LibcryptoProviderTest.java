package org.kmodpack.fuse;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** libcrypto's SHA-256, as the mount daemon uses it, gives the JDK's digests for every way bytes reach it. */
class LibcryptoProviderTest {
    private final LibcryptoProvider provider = LibcryptoProvider.load().orElseThrow(
            () -> new AssertionError("libcrypto.so.3 not found: apt-get install libssl3"));

    @Test
    void digestsEqualTheJdksForArraysDirectBuffersAndSplitUpdates() throws Exception {
        Random random = new Random(7);
        for (int size : new int[] {0, 1, 55, 56, 64, 4095, 65536, 2 * 1024 * 1024 + 17}) {
            byte[] bytes = new byte[size];
            random.nextBytes(bytes);
            byte[] expected = MessageDigest.getInstance("SHA-256", "SUN").digest(bytes);

            MessageDigest whole = MessageDigest.getInstance("SHA-256", provider);
            assertArrayEquals(expected, whole.digest(bytes), "byte[] of " + size);

            ByteBuffer direct = ByteBuffer.allocateDirect(size + 8);
            direct.position(8);
            direct.put(bytes);
            direct.position(8);
            MessageDigest mapped = MessageDigest.getInstance("SHA-256", provider);
            mapped.update(direct);
            assertEquals(direct.limit(), direct.position(), "the buffer is consumed");
            assertArrayEquals(expected, mapped.digest(), "direct buffer of " + size);

            MessageDigest split = MessageDigest.getInstance("SHA-256", provider);
            int half = size / 2;
            split.update(bytes, 0, half);
            if (size > 0) {
                split.update(bytes[half]);
            }
            split.update(bytes, Math.min(size, half + 1), Math.max(0, size - half - 1));
            assertArrayEquals(expected, split.digest(), "split updates of " + size);
        }
    }

    @Test
    void aDigestIsReusableAfterDigestAndReset() throws Exception {
        MessageDigest digest = MessageDigest.getInstance("SHA-256", provider);
        MessageDigest jdk = MessageDigest.getInstance("SHA-256", "SUN");
        digest.update(new byte[] {1, 2, 3});
        digest.reset();
        assertArrayEquals(jdk.digest(new byte[] {4}), digest.digest(new byte[] {4}));
        assertArrayEquals(jdk.digest(new byte[] {5, 6}), digest.digest(new byte[] {5, 6}));
        assertTrue(provider.getService("MessageDigest", "SHA-256") != null);
    }
}
