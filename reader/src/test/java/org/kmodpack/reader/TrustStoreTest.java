package org.kmodpack.reader;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPairGenerator;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bad trust files, alone or among good ones in a trust directory, fail closed: the error names the file, says
 * what it holds and what to do, and never leaks a library's internals (a null pointer, "null").
 */
class TrustStoreTest {
    @TempDir
    Path work;

    @Test
    void anEmptyTrustFileIsNamedAsEmpty() throws IOException {
        Path empty = Files.write(work.resolve("empty.pub"), new byte[0]);
        assertRefused(List.of(empty), empty + ": empty file (0 bytes); ");
    }

    @Test
    void anEmptyFileInATrustDirectoryRefusesTheDirectoryAndNamesTheFile() throws IOException {
        Path directory = Files.createDirectories(work.resolve("trusted.d"));
        Files.writeString(directory.resolve("release.pub"), pem(publicKeyDer()));
        Path empty = Files.write(directory.resolve("zz-empty.pub"), new byte[0]);
        String message = assertRefused(List.of(directory), empty + ": empty file (0 bytes); ");
        assertTrue(message.contains("trust directory " + directory) && message.contains("move other files out"),
                message);
        Files.delete(empty);
        assertEquals(1, TrustPolicy.trusting(List.of(directory)).anchors().size());
    }

    @Test
    void anIndefiniteLengthEncodingIsNamedAsBerNotDer() throws IOException {
        byte[] der = publicKeyDer();
        // The same SubjectPublicKeyInfo with its outer length made indefinite: BER that DER forbids.
        byte[] ber = new byte[der.length + 2];
        ber[0] = 0x30;
        ber[1] = (byte) 0x80;
        System.arraycopy(der, 2, ber, 2, der.length - 2);
        Path file = Files.write(work.resolve("indefinite.der"), ber);
        assertRefused(List.of(file), file + ": BER, not DER (indefinite or non-minimal lengths); ");
    }

    @Test
    void garbageTruncatedAndMisplacedFilesAreNamedWithWhatTheyAre() throws IOException {
        Path text = Files.writeString(work.resolve("notes.txt"), "trust me\n");
        assertRefused(List.of(text), text + ": neither PEM nor DER; ");
        Path truncated = Files.write(work.resolve("truncated.der"), Arrays.copyOf(publicKeyDer(), 20));
        assertRefused(List.of(truncated), truncated + ": DER cut short or damaged; ");
        Path octets = Files.write(work.resolve("octets.der"), new byte[] {0x04, 0x01, 0x00});
        assertRefused(List.of(octets), octets + ": neither PEM nor a DER sequence; ");
        Path sequence = Files.write(work.resolve("sequence.der"), new byte[] {0x30, 0x03, 0x02, 0x01, 0x05});
        assertRefused(List.of(sequence), sequence + ": DER, but neither a certificate nor a public key (");
        Path damagedPem = Files.writeString(work.resolve("damaged.pem"),
                "-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEA\n-----END PUBLIC KEY-----\n");
        assertRefused(List.of(damagedPem), damagedPem + ": damaged PEM (");
        Path noKey = Files.writeString(work.resolve("nokey.pem"), "-----BEGIN EC PARAMETERS-----\nBggqhkjOPQMBBw==\n"
                + "-----END EC PARAMETERS-----\n");
        assertRefused(List.of(noKey), noKey + ": PEM without a public key or certificate; ");
    }

    @Test
    void aGoodKeyStillLoadsAsPemAndAsDer() throws IOException {
        byte[] der = publicKeyDer();
        Path pem = Files.writeString(work.resolve("release.pub"), pem(der));
        Path raw = Files.write(work.resolve("release.der"), der);
        assertEquals(2, TrustPolicy.trusting(List.of(pem, raw)).anchors().size());
    }

    private static String assertRefused(List<Path> trust, String expectedStart) {
        IOException e = assertThrows(IOException.class, () -> TrustPolicy.trusting(trust));
        String message = e.getMessage();
        assertTrue(message.startsWith(expectedStart), message);
        assertTrue(message.contains("replace it with one, or remove it"), message);
        assertTrue(!message.contains("null") && message.lines().count() == 1, message);
        return message;
    }

    private static byte[] publicKeyDer() {
        try {
            return KeyPairGenerator.getInstance("Ed25519").generateKeyPair().getPublic().getEncoded();
        } catch (java.security.GeneralSecurityException e) {
            throw new AssertionError(e);
        }
    }

    private static String pem(byte[] der) {
        return "-----BEGIN PUBLIC KEY-----\n" + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                .encodeToString(der) + "\n-----END PUBLIC KEY-----\n";
    }
}
