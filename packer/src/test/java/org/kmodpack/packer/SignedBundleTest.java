package org.kmodpack.packer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.List;
import java.util.OptionalLong;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.kmodpack.format.Header;
import org.kmodpack.format.SignatureBlock;
import org.kmodpack.reader.Bundle;
import org.kmodpack.reader.SignatureRefusedException;
import org.kmodpack.reader.SignatureStatus.Outcome;
import org.kmodpack.reader.TrustPolicy;
import org.kmodpack.reader.Verification;
import org.kmodpack.testkernels.SyntheticKernel;
import org.kmodpack.testkernels.SyntheticKernels;

/**
 * Signing and verifying with real keys made by openssl (Ed25519, the kernel build's RSA 4096 key, ECDSA),
 * with openssl verifying our signatures in turn.
 */
class SignedBundleTest {
    @TempDir
    static Path work;
    static Path tree;
    static Path keys;
    static Path kernelKey;
    static Path ed25519;

    @BeforeAll
    static void makeKeys() throws IOException {
        tree = SyntheticKernels.moduleDir(SyntheticKernel.BASIC);
        keys = work.resolve("keys");
        kernelKey = OpenSsl.kernelSigningKey(keys.resolve("kernel"));
        ed25519 = OpenSsl.ed25519(keys, "ed");
    }

    static Path pack(String name, List<SigningKey> signers, StatementTerms terms) throws IOException {
        Path bundle = work.resolve(name);
        Packer.pack(tree, bundle, PackOptions.defaults().withBlockSize(64 << 10), signers, terms, PackProgress.NONE);
        return bundle;
    }

    static Path pub(Path key) {
        return key.resolveSibling(key.getFileName().toString().replace(".key", ".pub"));
    }

    @Test
    void ed25519AndKernelKeyTogetherVerifyWithEitherAndBoth() throws IOException {
        Path bundle = pack("both.kpack", List.of(SigningKey.load(ed25519, null), SigningKey.load(kernelKey, null)),
                new StatementTerms(OptionalLong.of(42), OptionalLong.empty()));
        Path der = kernelKey.resolveSibling("signing_key.x509");
        try (Bundle opened = Bundle.open(bundle, TrustPolicy.trusting(List.of(pub(ed25519))))) {
            Verification v = opened.verifySignatures(TrustPolicy.trusting(List.of(der)));
            assertEquals(42, v.serial());
            assertEquals(List.of(Outcome.UNTRUSTED_SIGNER, Outcome.TRUSTED),
                    v.signatures().stream().map(s -> s.outcome()).toList());
            assertTrue(v.signatures().get(1).kind().contains("rsa-4096"), v.signatures().get(1).kind());
            opened.verifyBlockHashes();
        }
        Bundle.open(bundle, TrustPolicy.trusting(List.of(pub(ed25519), der)).withThreshold(2)).close();
        SignatureRefusedException one = assertThrows(SignatureRefusedException.class,
                () -> Bundle.open(bundle, TrustPolicy.trusting(List.of(der)).withThreshold(2)));
        assertTrue(one.getMessage().contains("1 trusted signature where 2"), one.getMessage());
        // The same key trusted twice (PEM in a key file, DER alone) is still one key.
        assertThrows(SignatureRefusedException.class, () -> Bundle.open(bundle,
                TrustPolicy.trusting(List.of(der, kernelKey)).withThreshold(2)));
        assertThrows(SignatureRefusedException.class,
                () -> Bundle.open(bundle, TrustPolicy.trusting(List.of(OpenSsl.ed25519(work.resolve("other"), "o")
                        .resolveSibling("o.pub")))));
    }

    @Test
    void opensslVerifiesOurSignaturesOfTheStatement() throws IOException {
        Path bundle = pack("oracle.kpack", List.of(SigningKey.load(ed25519, null), SigningKey.load(kernelKey, null)),
                StatementTerms.defaults());
        SignatureBlock block = signatureBlock(bundle);
        Path dir = work.resolve("oracle");
        Files.createDirectories(dir);
        Files.write(dir.resolve("statement"), block.statementBytes());
        byte[] ed = block.signatures().get(0).body();
        Files.write(dir.resolve("ed.sig"), Arrays.copyOfRange(ed, 32, 96));
        OpenSsl.check(dir, "pkeyutl", "-verify", "-pubin", "-inkey", pub(ed25519).toString(), "-rawin", "-in",
                "statement", "-sigfile", "ed.sig");
        String keyId = OpenSsl.check(dir, "pkey", "-pubin", "-in", pub(ed25519).toString(), "-outform", "DER",
                "-out", "ed.spki");
        assertEquals("", keyId.strip());
        assertArrayEquals(org.kmodpack.format.Sha256.of(Files.readAllBytes(dir.resolve("ed.spki"))), Arrays.copyOf(ed, 32));
        Files.write(dir.resolve("cms.der"), block.signatures().get(1).body());
        OpenSsl.check(dir, "cms", "-verify", "-binary", "-inform", "DER", "-in", "cms.der", "-content", "statement",
                "-certfile", kernelKey.toString(), "-nointern", "-noverify", "-out", "/dev/null");
        Files.write(dir.resolve("statement"), new byte[] {1}, java.nio.file.StandardOpenOption.APPEND);
        assertTrue(OpenSsl.run(dir, "pkeyutl", "-verify", "-pubin", "-inkey", pub(ed25519).toString(), "-rawin",
                "-in", "statement", "-sigfile", "ed.sig").exit() != 0, "a changed statement fails openssl too");
    }

    @Test
    void signLaterWithoutRepackingAndOnlyTheHeaderFieldsAndBlockChange() throws IOException {
        Path bundle = pack("later.kpack", List.of(), StatementTerms.defaults());
        byte[] unsigned = Files.readAllBytes(bundle);
        assertThrows(SignatureRefusedException.class,
                () -> Bundle.open(bundle, TrustPolicy.trusting(List.of(pub(ed25519)))));
        Bundle.open(bundle, TrustPolicy.allowingUnsigned()).close();

        assertEquals(7, BundleSigner.sign(bundle, List.of(SigningKey.load(ed25519, null)),
                new StatementTerms(OptionalLong.of(7), OptionalLong.empty())));
        byte[] once = Files.readAllBytes(bundle);
        assertSameSignedContent(unsigned, once);
        IOException terms = assertThrows(IOException.class, () -> BundleSigner.sign(bundle,
                List.of(SigningKey.load(kernelKey, null)), new StatementTerms(OptionalLong.of(8), OptionalLong.empty())));
        assertTrue(terms.getMessage().contains("already signed with serial 7"), terms.getMessage());
        BundleSigner.sign(bundle, List.of(SigningKey.load(kernelKey, null)), StatementTerms.defaults());
        byte[] twice = Files.readAllBytes(bundle);
        assertSameSignedContent(unsigned, twice);
        try (Bundle opened = Bundle.open(bundle, TrustPolicy.trusting(List.of(pub(ed25519),
                kernelKey.resolveSibling("signing_key.x509"))).withThreshold(2))) {
            Verification v = opened.verifySignatures(TrustPolicy.allowingUnsigned());
            assertEquals(7, v.serial());
            assertEquals(2, v.signatures().size());
        }
        try (var listing = Files.list(work)) {
            assertFalse(listing.anyMatch(p -> p.getFileName().toString().startsWith(".later.kpack")),
                    "no temporary file is left");
        }
    }

    @Test
    void ecdsaP256AndP384CertificatesSignAndVerify() throws IOException {
        for (String curve : new String[] {"P-256", "P-384"}) {
            Path cert = OpenSsl.certificate(keys, "ec" + curve, "/CN=ec " + curve, "ec", "-pkeyopt",
                    "ec_paramgen_curve:" + curve);
            Path bundle = pack("ec.kpack", List.of(SigningKey.load(keys.resolve("ec" + curve + ".key"), cert)),
                    StatementTerms.defaults());
            try (Bundle opened = Bundle.open(bundle, TrustPolicy.trusting(List.of(cert)))) {
                String kind = opened.verifySignatures(TrustPolicy.trusting(List.of(cert))).signatures().get(0).kind();
                assertTrue(kind.contains(curve.equals("P-256") ? "sha256 ecdsa-p256" : "sha384 ecdsa-p384"), kind);
            }
        }
    }

    @Test
    void weakAndUnusableKeysAreRefusedWhenLoading() throws IOException {
        Path weak = OpenSsl.certificate(keys, "rsa1024", "/CN=weak", "rsa:1024");
        IOException small = assertThrows(IOException.class, () -> SigningKey.load(keys.resolve("rsa1024.key"), weak));
        assertTrue(small.getMessage().contains("1024 bits is refused"), small.getMessage());

        OpenSsl.check(keys, "genpkey", "-algorithm", "ed25519", "-aes-128-cbc", "-pass", "pass:secret", "-out",
                "encrypted.key");
        IOException encrypted = assertThrows(IOException.class,
                () -> SigningKey.load(keys.resolve("encrypted.key"), null));
        assertTrue(encrypted.getMessage().contains("is encrypted"), encrypted.getMessage());

        Path rsa = OpenSsl.certificate(keys, "nocert", "/CN=nocert", "rsa:2048");
        IOException noCert = assertThrows(IOException.class, () -> SigningKey.load(keys.resolve("nocert.key"), null));
        assertTrue(noCert.getMessage().contains("--cert"), noCert.getMessage());
        IOException mismatch = assertThrows(IOException.class, () -> pack("mismatch.kpack",
                List.of(SigningKey.load(keys.resolve("nocert.key"), kernelKey)), StatementTerms.defaults()));
        assertTrue(mismatch.getMessage().contains("does not match the certificate"), mismatch.getMessage());
        assertTrue(Files.exists(rsa));
    }

    @Test
    void keygenWritesKeysOpensslReads() throws IOException {
        Files.createDirectories(work.resolve("gen"));
        KeyGenerator.KeyFiles files = KeyGenerator.generate(work.resolve("gen/release"));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(files.privateKey())));
        Path dir = files.privateKey().getParent();
        OpenSsl.check(dir, "pkey", "-in", "release.key", "-pubout", "-out", "derived.pub");
        assertEquals(Files.readString(files.publicKey()), Files.readString(dir.resolve("derived.pub")));
        assertTrue(OpenSsl.check(dir, "pkey", "-pubin", "-in", "release.pub", "-text", "-noout").contains("ED25519"));
        assertThrows(java.nio.file.FileAlreadyExistsException.class,
                () -> KeyGenerator.generate(work.resolve("gen/release")));
        Path bundle = pack("gen.kpack", List.of(SigningKey.load(files.privateKey(), null)), StatementTerms.defaults());
        try (Bundle opened = Bundle.open(bundle, TrustPolicy.trusting(List.of(files.publicKey())))) {
            assertEquals(files.keyId(), opened.verifySignatures(TrustPolicy.trusting(List.of(files.publicKey())))
                    .signatures().get(0).keyId());
        }
    }

    static SignatureBlock signatureBlock(Path bundle) throws IOException {
        byte[] bytes = Files.readAllBytes(bundle);
        Header header = Header.decode(Arrays.copyOf(bytes, Header.SIZE), bytes.length, bundle.toString());
        return SignatureBlock.decode(Arrays.copyOfRange(bytes, (int) header.signatureOffset(), bytes.length),
                bundle.toString());
    }

    /** Everything but the header's bundle length, signature fields and CRC is as packing wrote it. */
    private static void assertSameSignedContent(byte[] unsigned, byte[] signed) {
        byte[] a = Arrays.copyOf(unsigned, unsigned.length);
        byte[] b = Arrays.copyOf(signed, unsigned.length);
        for (byte[] x : new byte[][] {a, b}) {
            Arrays.fill(x, 16, 24, (byte) 0);
            Arrays.fill(x, 72, 88, (byte) 0);
            Arrays.fill(x, 124, 128, (byte) 0);
        }
        assertArrayEquals(a, b);
    }
}
