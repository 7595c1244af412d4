package org.kmodpack.format;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The statement and signature block byte for byte, against the test vector printed in spec/FORMAT.md,
 * so that the text and the code cannot drift apart silently; and the block's exact-parse rules.
 */
class SignatureFormatTest {
    private static final byte[] HEADER_SHA = filled(0x11);
    private static final byte[] INDEX_SHA = filled(0x22);
    private static final Statement VECTOR = new Statement(1, 0, "6.1.0-28-amd64", Codec.ZSTD, 8, 1 << 20, 90,
            94_371_840L, 20_000_128L, 1_700_000_000L, 1_800_000_000L, HEADER_SHA, INDEX_SHA);
    /** The vector's 158 bytes, 16 to a line, as spec/FORMAT.md prints them. */
    static final String VECTOR_HEX = """
            6b 6d 6f 64 70 61 63 6b 20 73 69 67 6e 65 64 20
            62 75 6e 64 6c 65 20 73 74 61 74 65 6d 65 6e 74
            01 00 00 00 00 00 10 00 5a 00 00 00 01 08 0e 00
            00 00 a0 05 00 00 00 00 80 2d 31 01 00 00 00 00
            00 f1 53 65 00 00 00 00 00 d2 49 6b 00 00 00 00
            11 11 11 11 11 11 11 11 11 11 11 11 11 11 11 11
            11 11 11 11 11 11 11 11 11 11 11 11 11 11 11 11
            22 22 22 22 22 22 22 22 22 22 22 22 22 22 22 22
            22 22 22 22 22 22 22 22 22 22 22 22 22 22 22 22
            36 2e 31 2e 30 2d 32 38 2d 61 6d 64 36 34
            """;

    private static byte[] filled(int value) {
        byte[] bytes = new byte[32];
        Arrays.fill(bytes, (byte) value);
        return bytes;
    }

    @Test
    void statementEncodesAsTheSpecPrintsIt() throws IOException {
        byte[] expected = HexFormat.of().parseHex(VECTOR_HEX.replaceAll("\\s", ""));
        assertArrayEquals(expected, VECTOR.encode());
        assertEquals(VECTOR.encode().length, 144 + "6.1.0-28-amd64".length());
        Statement decoded = Statement.decode(expected, "vector");
        assertTrue(decoded.describesSameContent(VECTOR));
        assertEquals(1_700_000_000L, decoded.serial());
        assertEquals(1_800_000_000L, decoded.expiresEpochSecond());
        String spec = Files.readString(Path.of("..", "spec", "FORMAT.md"));
        assertTrue(spec.contains(VECTOR_HEX.strip()), "spec/FORMAT.md prints the vector");
    }

    @Test
    void headerDigestIgnoresOnlyTheFieldsThatLocateTheSignatureBlock() {
        Header unsigned = new Header(1, 0, 5000, 4000, 1000, INDEX_SHA, 0, 0);
        Header signed = new Header(1, 0, 5200, 4000, 1000, INDEX_SHA, 5000, 200);
        assertArrayEquals(Statement.headerDigest(unsigned.encode()), Statement.headerDigest(signed.encode()));
        Header otherIndex = new Header(1, 0, 5000, 4000, 1000, HEADER_SHA, 0, 0);
        assertTrue(!Arrays.equals(Statement.headerDigest(unsigned.encode()), Statement.headerDigest(otherIndex.encode())));
    }

    @Test
    void signatureBlockParsesExactlyToItsEnd() throws IOException {
        SignatureBlock block = SignatureBlock.of(VECTOR, List.of(new SignatureBlock.Signature(1, new byte[96]),
                new SignatureBlock.Signature(77, new byte[] {1, 2, 3})));
        byte[] bytes = block.encode();
        assertEquals(12 + 158 + 8 + 96 + 8 + 3, bytes.length);
        SignatureBlock decoded = SignatureBlock.decode(bytes, "b");
        assertEquals(77, decoded.signatures().get(1).kind());
        assertArrayEquals(new byte[] {1, 2, 3}, decoded.signatures().get(1).body());
        for (int cut = 0; cut < bytes.length; cut += 7) {
            byte[] shorter = Arrays.copyOf(bytes, cut);
            assertThrows(CorruptBundleException.class, () -> SignatureBlock.decode(shorter, "b"), "cut at " + cut);
        }
        assertThrows(CorruptBundleException.class, () -> SignatureBlock.decode(Arrays.copyOf(bytes, bytes.length + 1), "b"));
        byte[] noSignatures = bytes.clone();
        noSignatures[6] = 0;
        assertThrows(CorruptBundleException.class, () -> SignatureBlock.decode(noSignatures, "b"));
        byte[] flagged = bytes.clone();
        flagged[12 + 158 + 2] = 1;
        assertThrows(CorruptBundleException.class, () -> SignatureBlock.decode(flagged, "b"));
        byte[] version = bytes.clone();
        version[4] = 2;
        assertThrows(UnsupportedBundleException.class, () -> SignatureBlock.decode(version, "b"));
    }
}
