package org.kmodpack.packer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.StringReader;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Date;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Random;
import java.util.TreeSet;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.util.io.pem.PemObject;
import org.bouncycastle.util.io.pem.PemWriter;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.kmodpack.format.BlockIntegrityException;
import org.kmodpack.format.BlockRecord;
import org.kmodpack.format.Codec;
import org.kmodpack.format.Header;
import org.kmodpack.format.SignatureBlock;
import org.kmodpack.reader.Bundle;
import org.kmodpack.reader.Entry;
import org.kmodpack.reader.SignatureStatus.Outcome;
import org.kmodpack.reader.TrustPolicy;
import org.kmodpack.reader.Verification;
import org.kmodpack.testkernels.DebianKernels;
import org.kmodpack.testkernels.Figure;
import org.kmodpack.testkernels.Figures;
import org.kmodpack.testkernels.SyntheticKernel;
import org.kmodpack.testkernels.SyntheticKernels;

/**
 * The tamper matrix on real signed bundles: every region flipped, truncated at every boundary,
 * extended, blocks swapped, signatures stripped, swapped for weak or foreign ones. verify refuses all of
 * them; where only data blocks are damaged, reads of the damaged files fail and the rest still read.
 */
@ExtendWith(Figures.class)
class TamperMatrixTest {
    static final Figure TAMPERED = new Figure("tampered-verifies", "full verifies (open under a trust policy, "
            + "then every block hash) of tampered signed bundles; most are checked under two policies, so count twice");
    static final Figure TAMPERED_REFUSED = new Figure("tampered-refused-one-line", "full verifies of tampered "
            + "signed bundles that refused them with a one-line message (what kmodpack verify prints after 'kmodpack: ')");
    static final Figure SIGNATURE_EDITS = new Figure("signature-edits", "every byte of a kernel-key CMS signature "
            + "entry changed 4 ways (xor 01, 0c, 80, ff), one edit at a time");
    static final Figure SIGNATURE_EDITS_REFUSED = new Figure("signature-edits-refused", "edits of the kernel-key CMS "
            + "signature entry that were refused: the bundle no longer opens or its signature no longer verifies");
    @TempDir
    static Path work;
    static Path keys;
    static Path ed25519;
    static Path kernelKey;
    static TrustPolicy trustEd;
    static TrustPolicy trustKernel;
    static Path signedBundle;
    static Tampering original;
    static Map<String, byte[]> contents = new HashMap<>();

    @BeforeAll
    static void packAndSign() throws IOException {
        keys = work.resolve("keys");
        ed25519 = OpenSsl.ed25519(keys, "ed");
        kernelKey = OpenSsl.kernelSigningKey(keys.resolve("kernel"));
        trustEd = TrustPolicy.trusting(List.of(keys.resolve("ed.pub")));
        trustKernel = TrustPolicy.trusting(List.of(kernelKey.resolveSibling("signing_key.x509")));
        signedBundle = work.resolve("signed.kpack");
        Packer.pack(SyntheticKernels.moduleDir(SyntheticKernel.BASIC), signedBundle,
                PackOptions.defaults().withBlockSize(64 << 10),
                List.of(SigningKey.load(ed25519, null), SigningKey.load(kernelKey, null)), StatementTerms.defaults(),
                PackProgress.NONE);
        original = Tampering.of(signedBundle);
        assertTrue(original.index().params().blockCount() > 8, "several blocks to aim at");
        try (Bundle bundle = Bundle.open(signedBundle, trustEd)) {
            for (Entry entry : bundle.entries()) {
                if (entry.isFile()) {
                    contents.put(entry.path(), bundle.readAllBytes(entry));
                }
            }
        }
        assertFalse(Tampering.refused(signedBundle, trustEd));
        assertFalse(Tampering.refused(signedBundle, trustKernel));
    }

    private static Path write(String name, byte[] bytes) throws IOException {
        return Files.write(work.resolve(name), bytes);
    }

    private static void assertRefusedByBoth(String what, byte[] bytes) throws IOException {
        Path file = write("tampered.kpack", bytes);
        assertTrue(tamperedRefused(file, trustEd), what + ": accepted under the Ed25519 key");
        assertTrue(tamperedRefused(file, trustKernel), what + ": accepted under the kernel certificate");
    }

    /** {@link Tampering#refused} for a tampered bundle, counted for the figures. */
    private static boolean tamperedRefused(Path file, TrustPolicy policy) {
        TAMPERED.increment();
        Optional<String> refusal = Tampering.refusal(file, policy);
        if (refusal.isPresent() && refusal.get().lines().count() == 1) {
            TAMPERED_REFUSED.increment();
        }
        return refusal.isPresent();
    }

    @Test
    void bitFlipsInHeaderIndexStatementAndSignatureBlockAreRefused() throws IOException {
        TreeSet<Long> offsets = new TreeSet<>();
        for (long o : new long[] {0, 8, 12, 16, 24, 32, 40, 71, 72, 80, 88, 92, 123, 124, 127}) {
            offsets.add(o);
        }
        long indexOffset = original.header().indexOffset();
        for (long o = indexOffset; o < indexOffset + 8 + 24 * 4; o += 5) {
            offsets.add(o); // the section table
        }
        for (long[] section : original.indexSections()) {
            offsets.add(section[0]);
            offsets.add((section[0] + section[1]) / 2);
            offsets.add(section[1] - 1);
        }
        long[] statement = original.statement();
        for (long o = statement[0]; o < statement[1]; o += 7) {
            offsets.add(o);
        }
        long signatureOffset = original.header().signatureOffset();
        for (long o = signatureOffset; o < signatureOffset + 12; o++) {
            offsets.add(o);
        }
        for (long offset : offsets) {
            for (int bit : new int[] {0, 3, 7}) {
                assertRefusedByBoth("bit " + bit + " at " + offset, original.flipped(offset, bit));
            }
        }
        // A damaged signature only stops counting: the policy that trusts its signer refuses the bundle, while
        // another trusted signature may still carry it (as an unknown kind would not).
        long ed = statement[1];
        long cms = ed + 8 + original.block().signatures().get(0).body().length;
        for (long o = ed; o < original.bytes().length; o += o < cms ? 3 : 7) {
            TrustPolicy signer = o < cms ? trustEd : trustKernel;
            for (int bit : new int[] {0, 3, 7}) {
                Path file = write("tampered.kpack", original.flipped(o, bit));
                assertTrue(tamperedRefused(file, signer), "bit " + bit + " at " + o + " in signature "
                        + (o < cms ? 1 : 2));
            }
        }
    }

    @Test
    void bitFlipsInBlockDataFailVerifyAndTheReadsOfThatBlockOnly() throws IOException {
        int blocks = original.index().params().blockCount();
        for (int b : new int[] {0, blocks / 2, blocks - 1}) {
            BlockRecord block = original.index().block(b);
            for (long offset : new long[] {block.offset(), block.offset() + block.storedLength() / 2,
                    block.offset() + block.storedLength() - 1}) {
                Path file = write("block.kpack", original.flipped(offset, 5));
                assertTrue(tamperedRefused(file, trustEd), "block " + b + " at " + offset);
                int failed = 0;
                int read = 0;
                try (Bundle bundle = Bundle.open(file, trustEd)) {
                    for (Entry entry : bundle.entries()) {
                        if (!entry.isFile()) {
                            continue;
                        }
                        try {
                            assertArrayEquals(contents.get(entry.path()), bundle.readAllBytes(entry), entry.path());
                            read++;
                        } catch (BlockIntegrityException e) {
                            assertTrue(e.getMessage().contains("block " + b), e.getMessage());
                            failed++;
                        }
                    }
                }
                assertTrue(failed > 0 && read > 0, "block " + b + ": " + failed + " files failed, " + read + " read");
            }
        }
    }

    @Test
    void truncationAtEveryBoundaryAndOneAppendedByteAreRefused() throws IOException {
        TreeSet<Long> cuts = new TreeSet<>(List.of(0L, 1L, 127L, 128L, original.header().indexOffset(),
                original.signedLength() - 1, original.signedLength(), original.signedLength() + 1,
                original.statement()[0], original.statement()[1], (long) original.bytes().length - 1));
        for (int b = 0; b < original.index().params().blockCount(); b++) {
            cuts.add(original.index().block(b).offset());
        }
        for (long[] section : original.indexSections()) {
            cuts.add(section[0]);
            cuts.add(section[1]);
        }
        for (long cut : cuts) {
            assertRefusedByBoth("truncated to " + cut, Arrays.copyOf(original.bytes(), (int) cut));
        }
        assertRefusedByBoth("one byte appended", Arrays.copyOf(original.bytes(), original.bytes().length + 1));
    }

    @Test
    void twoEqualSizeBlocksSwappedAreRefusedAndTheirFilesFailToRead() throws IOException {
        Path plain = work.resolve("plain.kpack");
        Packer.pack(SyntheticKernels.moduleDir(SyntheticKernel.BASIC), plain,
                PackOptions.defaults().withCodec(Codec.NONE, CompressionLevel.DEFAULT).withBlockSize(4096),
                List.of(SigningKey.load(ed25519, null)), StatementTerms.defaults(), PackProgress.NONE);
        Tampering t = Tampering.of(plain);
        BlockRecord a = t.index().block(1);
        BlockRecord b = t.index().block(2);
        assertEquals(a.storedLength(), b.storedLength());
        byte[] swapped = t.bytes().clone();
        System.arraycopy(t.bytes(), (int) a.offset(), swapped, (int) b.offset(), b.storedLength());
        System.arraycopy(t.bytes(), (int) b.offset(), swapped, (int) a.offset(), a.storedLength());
        assertFalse(Arrays.equals(t.bytes(), swapped), "the two blocks differ");
        Path file = write("swapped.kpack", swapped);
        assertTrue(tamperedRefused(file, trustEd));
        try (Bundle bundle = Bundle.open(file, trustEd)) {
            int failed = 0;
            for (Entry entry : bundle.entries()) {
                if (entry.isFile()) {
                    try {
                        bundle.readAllBytes(entry);
                    } catch (BlockIntegrityException e) {
                        failed++;
                    }
                }
            }
            assertTrue(failed > 0);
        }
    }

    @Test
    void strippedSignaturesAreRefusedUnlessUnsignedIsExplicitlyAllowed() throws IOException {
        Path stripped = write("stripped.kpack", original.withBlock(null));
        assertTrue(tamperedRefused(stripped, trustEd));
        assertTrue(tamperedRefused(stripped, trustKernel));
        assertFalse(Tampering.refused(stripped, TrustPolicy.allowingUnsigned()));
        try (Bundle bundle = Bundle.open(stripped)) {
            assertFalse(bundle.isSigned());
        }
        SignatureBlock one = SignatureBlock.of(original.block().statement(), List.of(original.block().signatures().get(0)));
        Path half = write("half.kpack", original.withBlock(one));
        TrustPolicy both = TrustPolicy.trusting(List.of(keys.resolve("ed.pub"), kernelKey.resolveSibling("signing_key.x509")));
        assertFalse(Tampering.refused(write("full.kpack", original.bytes()), both.withThreshold(2)));
        assertTrue(tamperedRefused(half, both.withThreshold(2)), "one of two signatures stripped");
        assertFalse(Tampering.refused(half, both));
    }

    @Test
    void wrongKeyAndAnotherKeyWithTheSameIssuerAndSerialAreRefused() throws IOException {
        Path other = OpenSsl.ed25519(keys, "other");
        assertTrue(Tampering.refused(signedBundle, TrustPolicy.trusting(List.of(keys.resolve("other.pub")))));
        Path genuine = OpenSsl.certificate(keys, "genuine", "/CN=Same issuer", "rsa:2048", "-set_serial", "4660");
        Path impostor = OpenSsl.certificate(keys, "impostor", "/CN=Same issuer", "rsa:2048", "-set_serial", "4660");
        Path bundle = work.resolve("impostor.kpack");
        Packer.pack(SyntheticKernels.moduleDir(SyntheticKernel.BASIC), bundle, PackOptions.defaults(),
                List.of(SigningKey.load(keys.resolve("impostor.key"), impostor)), StatementTerms.defaults(),
                PackProgress.NONE);
        TrustPolicy trustGenuine = TrustPolicy.trusting(List.of(genuine));
        assertTrue(Tampering.refused(bundle, trustGenuine));
        try (Bundle opened = Bundle.open(bundle)) {
            assertEquals(Outcome.BAD_SIGNATURE, opened.verifySignatures(trustGenuine).signatures().get(0).outcome());
        }
        assertFalse(Tampering.refused(bundle, TrustPolicy.trusting(List.of(impostor))));
        assertTrue(Files.exists(other));
    }

    @Test
    void weakAlgorithmsMalformedDerAndUnknownKindsNeverCount() throws IOException {
        Path dir = work.resolve("cms");
        Files.createDirectories(dir);
        Files.write(dir.resolve("statement"), original.block().statementBytes());
        Path rsa2048 = OpenSsl.certificate(keys, "rsa2048", "/CN=rsa 2048", "rsa:2048");
        Path rsa1024 = OpenSsl.certificate(keys, "rsa1024", "/CN=rsa 1024", "rsa:1024");
        TrustPolicy trust = TrustPolicy.trusting(List.of(rsa2048, rsa1024, keys.resolve("ed.pub")));
        byte[] sha256 = opensslCms(dir, "rsa2048", "sha256");
        assertEquals(Outcome.TRUSTED, onlySignature(SignatureBlock.KIND_CMS, sha256, trust).outcome(),
                "openssl's own CMS signature verifies: the weak ones below fail for their algorithm alone");
        for (String md : new String[] {"sha1", "md5"}) {
            Verification v = verificationOf(SignatureBlock.KIND_CMS, opensslCms(dir, "rsa2048", md), trust);
            assertEquals(Outcome.REFUSED_ALGORITHM, v.signatures().get(0).outcome(), md);
            assertFalse(v.accepted(), md);
        }
        assertEquals(Outcome.REFUSED_ALGORITHM,
                onlySignature(SignatureBlock.KIND_CMS, opensslCms(dir, "rsa1024", "sha256"), trust).outcome());
        for (int cut : new int[] {1, 10, sha256.length / 2, sha256.length - 1}) {
            assertEquals(Outcome.MALFORMED, onlySignature(SignatureBlock.KIND_CMS, Arrays.copyOf(sha256, cut), trust)
                    .outcome(), "DER truncated to " + cut);
        }
        byte[] trailing = Arrays.copyOf(sha256, sha256.length + 1);
        assertEquals(Outcome.MALFORMED, onlySignature(SignatureBlock.KIND_CMS, trailing, trust).outcome());
        byte[] garbage = new byte[300];
        new Random(3).nextBytes(garbage);
        assertEquals(Outcome.MALFORMED, onlySignature(SignatureBlock.KIND_CMS, garbage, trust).outcome());
        assertEquals(Outcome.MALFORMED, onlySignature(SignatureBlock.KIND_ED25519, garbage, trust).outcome());

        SignatureBlock.Signature ed = original.block().signatures().get(0);
        SignatureBlock withUnknown = SignatureBlock.of(original.block().statement(),
                List.of(new SignatureBlock.Signature(99, garbage), ed));
        try (Bundle bundle = Bundle.open(write("unknown.kpack", original.withBlock(withUnknown)), trust)) {
            Verification v = bundle.verifySignatures(trust);
            assertEquals(Outcome.UNKNOWN_KIND, v.signatures().get(0).outcome());
            assertEquals(1, v.trustedKeys());
        }
        assertFalse(verificationOf(99, ed.body(), trust).accepted(), "an unknown kind alone never counts");
    }

    @Test
    void aCertificateCarriedInASignatureIsNeverTrustedAndTheSignatureIsRefused() throws IOException {
        Path dir = work.resolve("carried");
        Files.createDirectories(dir);
        Files.write(dir.resolve("statement"), original.block().statementBytes());
        OpenSsl.certificate(keys, "stranger", "/CN=stranger", "rsa:2048");
        OpenSsl.check(dir, "cms", "-sign", "-binary", "-noattr", "-outform", "DER", "-md", "sha256", "-in",
                "statement", "-signer", keys.resolve("stranger.crt").toString(), "-inkey",
                keys.resolve("stranger.key").toString(), "-out", "carried.der");
        org.kmodpack.reader.SignatureStatus status = onlySignature(SignatureBlock.KIND_CMS,
                Files.readAllBytes(dir.resolve("carried.der")), TrustPolicy.trusting(List.of(keys.resolve("stranger.crt"))));
        assertEquals(Outcome.MALFORMED, status.outcome(), status.detail());
        assertTrue(status.detail().contains("carries certificates"), status.detail());
        assertEquals(Outcome.UNTRUSTED_SIGNER, onlySignature(SignatureBlock.KIND_CMS, opensslCms(dir, "stranger", "sha256"),
                trustKernel).outcome(), "the same signer without the certificate");
    }

    @Test
    void expiredCertificatePassesByDefaultAndFailsUnderCheckValidity() throws Exception {
        OpenSsl.certificate(keys, "aging", "/CN=aging", "rsa:2048");
        PrivateKeyInfo info;
        try (PEMParser pem = new PEMParser(new StringReader(Files.readString(keys.resolve("aging.key"))))) {
            info = (PrivateKeyInfo) pem.readObject();
        }
        java.security.PrivateKey privateKey = new JcaPEMKeyConverter().getPrivateKey(info);
        X509CertificateHolder current = new X509CertificateHolder(
                new PemObjectReader(keys.resolve("aging.crt")).der());
        X509CertificateHolder expired = new JcaX509v3CertificateBuilder(new X500Name("CN=aging"), BigInteger.valueOf(77),
                Date.from(Instant.parse("2020-01-01T00:00:00Z")), Date.from(Instant.parse("2021-01-01T00:00:00Z")),
                new X500Name("CN=aging"), new JcaPEMKeyConverter().getPublicKey(current.getSubjectPublicKeyInfo()))
                .build(new JcaContentSignerBuilder("SHA256withRSA").build(privateKey));
        Path expiredCert = keys.resolve("expired.crt");
        try (PemWriter writer = new PemWriter(Files.newBufferedWriter(expiredCert))) {
            writer.writeObject(new PemObject("CERTIFICATE", expired.getEncoded()));
        }
        Path bundle = work.resolve("expired-cert.kpack");
        Packer.pack(SyntheticKernels.moduleDir(SyntheticKernel.BASIC), bundle, PackOptions.defaults(),
                List.of(SigningKey.load(keys.resolve("aging.key"), expiredCert)), StatementTerms.defaults(),
                PackProgress.NONE);
        TrustPolicy trust = TrustPolicy.trusting(List.of(expiredCert));
        assertFalse(Tampering.refused(bundle, trust), "certificate dates are not checked by default");
        assertTrue(Tampering.refused(bundle, trust.withCheckValidity(true)));
        try (Bundle opened = Bundle.open(bundle)) {
            assertEquals(Outcome.CERTIFICATE_NOT_VALID,
                    opened.verifySignatures(trust.withCheckValidity(true)).signatures().get(0).outcome());
        }
    }

    @Test
    void expiredStatementsAndOlderSerialsAreRefused() throws IOException {
        Path bundle = work.resolve("expiring.kpack");
        Packer.pack(SyntheticKernels.moduleDir(SyntheticKernel.BASIC), bundle, PackOptions.defaults(),
                List.of(SigningKey.load(ed25519, null)), new StatementTerms(OptionalLong.of(100),
                        OptionalLong.of(Instant.parse("2021-06-01T00:00:00Z").getEpochSecond())), PackProgress.NONE);
        assertTrue(Tampering.refused(bundle, trustEd));
        assertFalse(Tampering.refused(bundle, trustEd.withAllowExpired(true)));
        assertFalse(Tampering.refused(bundle, trustEd.withAllowExpired(true).withMinSerial(100)));
        assertTrue(Tampering.refused(bundle, trustEd.withAllowExpired(true).withMinSerial(101)));
        assertFalse(Tampering.refused(bundle, trustEd.withClock(java.time.Clock.fixed(
                Instant.parse("2021-05-31T23:59:59Z"), java.time.ZoneOffset.UTC))));
    }

    @Test
    void noSingleByteChangeOfTheKernelKeysCmsSignatureVerifies() throws IOException {
        Path bundle = work.resolve("cms-only.kpack");
        Packer.pack(SyntheticKernels.moduleDir(SyntheticKernel.BASIC), bundle, PackOptions.defaults(),
                List.of(SigningKey.load(kernelKey, null)), StatementTerms.defaults(), PackProgress.NONE);
        Tampering t = Tampering.of(bundle);
        long start = t.statement()[1];
        List<String> accepted = new ArrayList<>();
        try (FileChannel file = FileChannel.open(bundle, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            for (long position = start; position < t.bytes().length; position++) {
                byte old = t.bytes()[(int) position];
                // 0x0c turns rsaEncryption (…01) into sha512WithRSAEncryption (…0d): a re-spelling, not a forgery.
                for (int change : new int[] {0x01, 0x0c, 0x80, 0xff}) {
                    file.write(ByteBuffer.wrap(new byte[] {(byte) (old ^ change)}), position);
                    SIGNATURE_EDITS.increment();
                    try (Bundle opened = Bundle.open(bundle)) {
                        if (opened.verifySignatures(trustKernel).accepted()) {
                            accepted.add(position + "^" + Integer.toHexString(change));
                        } else {
                            SIGNATURE_EDITS_REFUSED.increment();
                        }
                    } catch (IOException refused) {
                        // refused at open: the block no longer parses
                        SIGNATURE_EDITS_REFUSED.increment();
                    }
                }
                file.write(ByteBuffer.wrap(new byte[] {old}), position);
            }
        }
        assertEquals(List.of(), accepted);
        assertFalse(Tampering.refused(bundle, trustKernel));
    }

    @Test
    void randomSingleByteChangesAnywhereInARealSignedBundleAreAllRefused() throws IOException {
        Path bundle = work.resolve("cloud.kpack");
        Packer.pack(DebianKernels.moduleDir("cloud"), bundle, PackOptions.defaults(),
                List.of(SigningKey.load(ed25519, null)), StatementTerms.defaults(), PackProgress.NONE);
        assertFalse(Tampering.refused(bundle, trustEd));
        Random random = new Random(20261126);
        long length = Files.size(bundle);
        List<Long> accepted = new ArrayList<>();
        try (FileChannel file = FileChannel.open(bundle, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            for (int i = 0; i < 300; i++) {
                // Half anywhere, half in the header, index and signature block, which are small but dense.
                long position = i % 2 == 0 ? (long) (random.nextDouble() * length)
                        : i % 4 == 1 ? random.nextInt(Header.SIZE)
                        : length - 1 - random.nextInt((int) Math.min(length - 1, 200_000));
                ByteBuffer old = ByteBuffer.allocate(1);
                file.read(old, position);
                byte changed = (byte) (old.get(0) ^ (1 + random.nextInt(255)));
                file.write(ByteBuffer.wrap(new byte[] {changed}), position);
                if (!tamperedRefused(bundle, trustEd)) {
                    accepted.add(position);
                }
                file.write(old.flip(), position);
            }
        }
        assertEquals(List.of(), accepted, "changed bytes that verify accepted");
        assertFalse(Tampering.refused(bundle, trustEd), "every change was undone");
    }

    private static byte[] opensslCms(Path dir, String signer, String md) throws IOException {
        String out = signer + "-" + md + ".der";
        OpenSsl.check(dir, "cms", "-sign", "-binary", "-noattr", "-nocerts", "-outform", "DER", "-md", md, "-in",
                "statement", "-signer", keys.resolve(signer + ".crt").toString(), "-inkey",
                keys.resolve(signer + ".key").toString(), "-out", out);
        return Files.readAllBytes(dir.resolve(out));
    }

    private static Verification verificationOf(int kind, byte[] body, TrustPolicy trust) throws IOException {
        SignatureBlock block = SignatureBlock.of(original.block().statement(),
                List.of(new SignatureBlock.Signature(kind, body)));
        Path file = write("spliced.kpack", original.withBlock(block));
        try (Bundle bundle = Bundle.open(file)) {
            Verification v = bundle.verifySignatures(trust);
            assertEquals(!v.accepted(), Tampering.refused(file, trust));
            return v;
        }
    }

    private static org.kmodpack.reader.SignatureStatus onlySignature(int kind, byte[] body, TrustPolicy trust)
            throws IOException {
        return verificationOf(kind, body, trust).signatures().get(0);
    }

    /** The DER of the first PEM object in a file. */
    private record PemObjectReader(Path file) {
        byte[] der() throws IOException {
            try (org.bouncycastle.util.io.pem.PemReader reader = new org.bouncycastle.util.io.pem.PemReader(
                    Files.newBufferedReader(file))) {
                return reader.readPemObject().getContent();
            }
        }
    }
}
