package org.kmodpack.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.kmodpack.cli.CliTest.run;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.kmodpack.cli.CliTest.Run;
import org.kmodpack.testkernels.ModuleSigner;
import org.kmodpack.testkernels.SyntheticKernel;
import org.kmodpack.testkernels.SyntheticKernels;

/**
 * keygen, pack --sign, sign and verify as a user runs them, with a kernel build's signing key made by
 * openssl exactly as the kernel's certs/Makefile makes it.
 */
class SigningCliTest {
    @TempDir
    static Path work;
    static Path tree;
    static Path release;
    static Path kernelPem;
    static Path kernelDer;

    @BeforeAll
    static void makeKeys() throws IOException, InterruptedException {
        tree = SyntheticKernels.moduleDir(SyntheticKernel.BASIC);
        Run keygen = run("keygen", "-o", work.resolve("release").toString());
        assertEquals(0, keygen.exit(), keygen.err());
        release = work.resolve("release.key");
        kernelPem = ModuleSigner.kernelKey(work);
        kernelDer = work.resolve("signing_key.x509");
    }

    private static void openssl(String... args) throws IOException, InterruptedException {
        List<String> command = new java.util.ArrayList<>(List.of("openssl"));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).directory(work.toFile()).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes());
        assertEquals(0, process.waitFor(), output);
    }

    private static Path pack(String name, String... extra) {
        Path bundle = work.resolve(name);
        List<String> args = new java.util.ArrayList<>(List.of("pack", tree.toString(), "-o", bundle.toString(),
                "--block-size", "64K"));
        args.addAll(List.of(extra));
        Run pack = run(args.toArray(String[]::new));
        assertEquals(0, pack.exit(), pack.err());
        return bundle;
    }

    @Test
    void packWithEd25519AndTheKernelKeyThenVerify() {
        Path bundle = pack("both.kpack", "--sign", release.toString(), "--sign", kernelPem.toString(), "--serial", "9");
        Run ok = run("verify", bundle.toString(), "--trust", work.resolve("release.pub").toString());
        assertEquals(0, ok.exit(), ok.err());
        assertTrue(ok.out().contains("serial:      9"), ok.out());
        assertTrue(ok.out().lines().anyMatch(l -> l.startsWith("signature 1: ed25519") && l.contains(": trusted")), ok.out());
        assertTrue(ok.out().lines().anyMatch(l -> l.startsWith("signature 2: cms sha512") && l.contains("untrusted signer")
                && l.contains("Glacier signing key")), ok.out());
        assertTrue(ok.out().contains("blocks:      all "), ok.out());

        Run der = run("verify", bundle.toString(), "--trust", kernelDer.toString());
        assertEquals(0, der.exit(), der.err());
        assertTrue(der.out().lines().anyMatch(l -> l.startsWith("signature 2: cms sha512 rsa-4096") && l.contains(": trusted")),
                der.out());
        Run two = run("verify", bundle.toString(), "--trust", kernelDer.toString(), "--threshold", "2");
        assertEquals(1, two.exit());
        assertTrue(two.err().startsWith("kmodpack: " + bundle + ": refused: 1 trusted signature where 2"), two.err());
        Path trustDir = work.resolve("trusted.d");
        copyInto(trustDir, kernelDer, work.resolve("release.pub"));
        assertEquals(0, run("verify", bundle.toString(), "--trust", trustDir.toString(), "--threshold", "2").exit());
        Run rollback = run("verify", bundle.toString(), "--trust", trustDir.toString(), "--min-serial", "10");
        assertEquals(1, rollback.exit());
        assertTrue(rollback.err().contains("rollback"), rollback.err());
    }

    @Test
    void signAddsSignaturesToAnUnsignedBundle() {
        Path bundle = pack("later.kpack");
        Run unsigned = run("verify", bundle.toString(), "--trust", work.resolve("release.pub").toString());
        assertEquals(1, unsigned.exit());
        assertTrue(unsigned.out().contains("none (unsigned)") && unsigned.err().contains("unsigned"), unsigned.err());
        Run sign = run("sign", bundle.toString(), "--key", release.toString(), "--serial", "3");
        assertEquals(0, sign.exit(), sign.err());
        assertTrue(sign.out().contains("signed by ed25519 key") && sign.out().contains("serial 3"), sign.out());
        Run again = run("sign", bundle.toString(), "--key", kernelPem.toString(), "--serial", "4");
        assertEquals(1, again.exit());
        assertTrue(again.err().contains("already signed with serial 3"), again.err());
        assertEquals(0, run("sign", bundle.toString(), "--key", kernelPem.toString(), "--cert", kernelDer.toString()).exit());
        assertEquals(0, run("verify", bundle.toString(), "--trust", kernelDer.toString(), "--trust",
                work.resolve("release.pub").toString(), "--threshold", "2").exit());
    }

    @Test
    void inspectionCommandsCheckSignaturesOnlyWithTrust() throws IOException {
        Path bundle = pack("inspect.kpack", "--sign", release.toString());
        Run other = run("keygen", "-o", work.resolve("other").toString());
        assertEquals(0, other.exit());
        String otherPub = work.resolve("other.pub").toString();
        String pub = work.resolve("release.pub").toString();
        assertEquals(0, run("ls", bundle.toString()).exit());
        Run refused = run("ls", "--trust", otherPub, bundle.toString());
        assertEquals(1, refused.exit());
        assertTrue(refused.err().contains("refused"), refused.err());
        assertEquals(0, run("ls", "--trust", pub, bundle.toString()).exit());
        Run info = run("info", "--trust", pub, bundle.toString());
        assertEquals(0, info.exit(), info.err());
        assertTrue(info.out().contains("signatures:      1, serial ") && info.out().contains(", trusted"), info.out());
        assertTrue(run("info", bundle.toString()).out().contains("check them with kmodpack verify --trust"));
        assertEquals(2, run("ls", "--min-serial", "5", bundle.toString()).exit(), "a policy option without --trust");
        assertEquals(1, run("cat", "--trust", otherPub, bundle.toString(), "modules.dep").exit());
        Run cat = run("cat", "--trust", pub, bundle.toString(), "modules.dep");
        assertEquals(0, cat.exit(), cat.err());
        assertEquals(Files.size(tree.resolve("modules.dep")), cat.stdout().length);
        assertEquals(1, run("extract", "--trust", otherPub, bundle.toString(), work.resolve("x1").toString()).exit());
        assertEquals(0, run("extract", "--trust", pub, bundle.toString(), work.resolve("x2").toString()).exit());
    }

    @Test
    void verifyFailsOnADamagedBlockAndOnExpiry() throws IOException {
        String pub = work.resolve("release.pub").toString();
        Path bundle = pack("damaged.kpack", "--sign", release.toString());
        try (FileChannel file = FileChannel.open(bundle, StandardOpenOption.WRITE)) {
            file.write(java.nio.ByteBuffer.wrap(new byte[] {0x5a, 0x5a}), 4096);
        }
        Run damaged = run("verify", bundle.toString(), "--trust", pub);
        assertEquals(1, damaged.exit());
        assertTrue(damaged.err().contains("block 0") && damaged.err().contains("SHA-256"), damaged.err());

        Path expired = pack("expired.kpack", "--sign", release.toString(), "--expires", "2021-01-01");
        Run refused = run("verify", expired.toString(), "--trust", pub);
        assertEquals(1, refused.exit());
        assertTrue(refused.err().contains("expired at 2021-01-01T00:00:00Z") && refused.out().contains("expires:     2021"),
                refused.err());
        assertEquals(0, run("verify", expired.toString(), "--trust", pub, "--allow-expired").exit());
    }

    @Test
    void usageErrorsAndRefusedKeys() throws IOException, InterruptedException {
        assertEquals(2, run("keygen").exit());
        assertEquals(2, run("pack", tree.toString(), "-o", work.resolve("u.kpack").toString(), "--sign",
                release.toString(), "--expires", "soon").exit());
        assertEquals(2, run("verify", "x.kpack", "--trust", "y", "--threshold", "0").exit());
        openssl("req", "-new", "-nodes", "-x509", "-days", "30", "-subj", "/CN=weak", "-newkey", "rsa:1024",
                "-keyout", "weak.key", "-out", "weak.crt");
        Run weak = run("pack", tree.toString(), "-o", work.resolve("weak.kpack").toString(), "--sign",
                work.resolve("weak.key").toString(), "--cert", work.resolve("weak.crt").toString());
        assertEquals(1, weak.exit());
        assertTrue(weak.err().contains("1024 bits is refused"), weak.err());
        assertTrue(!Files.exists(work.resolve("weak.kpack")), "nothing is packed with a refused key");
        Run again = run("keygen", "-o", work.resolve("release").toString());
        assertEquals(1, again.exit());
        assertTrue(again.err().contains("release.key") && again.err().contains("never overwrites"), again.err());
    }

    @Test
    void anEmptyTrustFileIsOneLineNamingItAloneOrInADirectory() throws IOException {
        Path bundle = pack("empty-trust.kpack", "--sign", release.toString());
        Path empty = Files.write(work.resolve("empty.pub"), new byte[0]);
        Run alone = run("verify", bundle.toString(), "--trust", empty.toString());
        assertEquals(1, alone.exit());
        assertEquals("kmodpack: " + empty + ": empty file (0 bytes); a trust file holds PEM public keys or "
                + "certificates, or one DER certificate or public key: replace it with one, or remove it\n", alone.err());
        Path trustDir = work.resolve("trusted-with-empty.d");
        copyInto(trustDir, work.resolve("release.pub"), empty);
        Run inDirectory = run("mount", "--foreground", bundle.toString(), work.resolve("never-mounted").toString(), "--trust",
                trustDir.toString());
        assertEquals(1, inDirectory.exit());
        assertTrue(inDirectory.err().startsWith("kmodpack: " + trustDir.resolve("empty.pub") + ": empty file")
                && inDirectory.err().contains("trust directory " + trustDir)
                && inDirectory.err().lines().count() == 1, inDirectory.err());
    }

    private static void copyInto(Path dir, Path... files) {
        try {
            Files.createDirectories(dir);
            for (Path file : files) {
                Files.copy(file, dir.resolve(file.getFileName()));
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
