package org.kmodpack.reader;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.google.common.jimfs.Configuration;
import com.google.common.jimfs.Jimfs;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.kmodpack.format.Codec;

/**
 * Coverage-guided fuzzing of the block decoders and of trust files (see FormatFuzzTest for how it runs). A
 * decoder gives exactly the content size or refuses (Undecodable); a trust file gives keys or an IOException
 * naming the file.
 */
class ReaderFuzzTest {
    /** Blocks of up to this much content: a decoder's memory follows the content size, not the input. */
    private static final int MAX_CONTENT = 1 << 20;
    /** In memory (Jimfs): trust files are read through Files, without a disk write per input. */
    private static final Path TRUST_FILE = Jimfs.newFileSystem(Configuration.unix()).getPath("/trusted.pem");

    /** Three bytes of content size (little-endian, at most 1 MiB), then an xz block's stored bytes. */
    @FuzzTest
    void xzBlock(byte[] input) throws IOException {
        decode(Codec.XZ, input);
    }

    /** Three bytes of content size (little-endian, at most 1 MiB), then a zstd block's stored bytes. */
    @FuzzTest
    void zstdBlock(byte[] input) throws IOException {
        decode(Codec.ZSTD, input);
    }

    /** A file given with --trust or found in /etc/kmodpack/trusted.d. */
    @FuzzTest
    void trustFile(byte[] contents) throws IOException {
        Files.write(TRUST_FILE, contents);
        try {
            assertTrue(!TrustPolicy.trusting(List.of(TRUST_FILE)).anchors().isEmpty());
        } catch (IOException refused) {
            assertTrue(refused.getMessage().startsWith(TRUST_FILE + ": "), refused.getMessage());
        }
    }

    /** A module's appended PKCS#7 signature over fixed content, checked against one trusted key. */
    @FuzzTest
    void detachedCms(byte[] signature) {
        assertTrue(POLICY.verifyDetachedCms(signature, CONTENT) != null);
    }

    private static final byte[] CONTENT = "module bytes".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    private static final TrustPolicy POLICY = edPolicy();

    private static void decode(Codec codec, byte[] input) throws IOException {
        if (input.length < 3) {
            return;
        }
        int contentSize = 1 + ((input[0] & 0xFF) | (input[1] & 0xFF) << 8 | (input[2] & 0x0F) << 16);
        byte[] stored = java.util.Arrays.copyOfRange(input, 3, input.length);
        try {
            byte[] content = Decompressor.decompress(codec, stored, Math.min(contentSize, MAX_CONTENT));
            assertEquals(Math.min(contentSize, MAX_CONTENT), content.length);
        } catch (Decompressor.Undecodable refused) {
            assertTrue(refused.getMessage() != null);
        }
    }

    private static TrustPolicy edPolicy() {
        try {
            byte[] der = java.security.KeyPairGenerator.getInstance("Ed25519").generateKeyPair().getPublic()
                    .getEncoded();
            Path file = Files.createTempFile("kmodpack-fuzz-key-", ".der");
            file.toFile().deleteOnExit();
            Files.write(file, der);
            return TrustPolicy.trusting(List.of(file));
        } catch (IOException | java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
