package org.kmodpack.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.kmodpack.modules.SignatureTrailer;
import org.kmodpack.modules.Modinfo;
import org.kmodpack.modules.ModuleFile;
import org.kmodpack.modules.ModuleIndex;
import org.kmodpack.modules.ModuleSignatureStatus;
import org.kmodpack.modules.ModuleSignatureCheck;
import org.kmodpack.reader.Bundle;
import org.kmodpack.reader.TrustPolicy;
import org.kmodpack.testkernels.DebianKernels;
import org.kmodpack.testkernels.ModuleSigner;
import org.kmodpack.testkernels.SyntheticKernel;
import org.kmodpack.testkernels.SyntheticKernels;

/**
 * verify --modules: each module's own signature checked as the kernel checks it. On the synthetic tree every
 * module (.ko, .ko.xz, .ko.zst) is signed here with a kernel-style key the way sign-file signs; openssl's cms
 * -verify is the oracle for what a module's signature covers. On Debian's cloud kernel, the real modules are
 * checked against the certificate compiled into its vmlinuz, and against a key of ours.
 */
class ModuleSignatureCliTest {
    private static final String STANDALONE = "kernel/drivers/misc/standalone.ko";
    private static final String WEAK_USER = "kernel/drivers/misc/weak_user.ko";
    private static final String SOFTDEP_USER = "kernel/drivers/misc/softdep_user.ko";
    private static final String BY_KEY_ID = "kernel/lib/chain/chain_d.ko";
    private static final String TRUNCATED_XZ = "kernel/drivers/pps/pps_lite.ko.xz";

    @TempDir
    static Path work;
    static Path keyPem;
    static Path certDer;
    static Path signedTree;
    static Path signedBundle;
    static int moduleCount;

    @BeforeAll
    static void signEveryModule() throws IOException {
        keyPem = ModuleSigner.kernelKey(work.resolve("certs"));
        certDer = work.resolve("certs/signing_key.x509");
        signedTree = work.resolve("signed");
        SignedModuleTest.copyTree(SyntheticKernels.moduleDir(SyntheticKernel.BASIC), signedTree);
        List<Path> modules = modules(signedTree);
        moduleCount = modules.size();
        assertTrue(modules.stream().anyMatch(m -> m.toString().endsWith(".ko.xz"))
                && modules.stream().anyMatch(m -> m.toString().endsWith(".ko.zst")), modules.toString());
        for (Path module : modules) {
            ModuleSigner.sign(module, keyPem, keyPem, "sha256", signedTree.relativize(module).toString()
                    .equals(BY_KEY_ID));
        }
        signedBundle = pack(signedTree, "signed.kpack");
    }

    @Test
    void everyModuleVerifiesWithTheDerAndThePemCertificate() {
        for (Path cert : List.of(certDer, keyPem)) {
            CliTest.Run run = CliTest.run("verify", signedBundle.toString(), "--modules", "--module-cert",
                    cert.toString());
            assertEquals(0, run.exit(), run.out() + run.err());
            assertTrue(run.out().contains("signatures:  not checked (--modules without --trust)"), run.out());
            assertTrue(run.out().contains("modules:     " + moduleCount + " of " + moduleCount + " verified against "
                    + cert + "; 0 unsigned, 0 failed"), run.out());
            assertTrue(run.out().contains("signed by:   issuer 'O=Magrathea,CN=Glacier signing key,"
                    + "E=slartibartfast@magrathea.h2g2' serial 0x"), run.out());
            assertTrue(run.out().contains(": " + (moduleCount - 1) + " modules verified"), run.out());
            assertTrue(run.out().contains("signed by:   subject key id "), run.out());
            assertTrue(run.out().contains(": 1 module verified"), run.out());
        }
    }

    @Test
    void tamperedUnsignedSha1AndUndecompressableModulesAreListed() throws IOException {
        Path tree = work.resolve("damaged");
        SignedModuleTest.copyTree(signedTree, tree);
        Path tampered = tree.resolve(STANDALONE);
        byte[] bytes = Files.readAllBytes(tampered);
        bytes[bytes.length / 3] ^= 0x01;
        Files.write(tampered, bytes);
        Path unsigned = tree.resolve(WEAK_USER);
        Files.copy(SyntheticKernels.moduleDir(SyntheticKernel.BASIC).resolve(WEAK_USER), unsigned,
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        Path sha1 = tree.resolve(SOFTDEP_USER);
        Files.copy(SyntheticKernels.moduleDir(SyntheticKernel.BASIC).resolve(SOFTDEP_USER), sha1,
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        ModuleSigner.sign(sha1, keyPem, keyPem, "sha1", false);
        Path truncated = tree.resolve(TRUNCATED_XZ);
        byte[] xz = Files.readAllBytes(truncated);
        Files.write(truncated, java.util.Arrays.copyOf(xz, xz.length / 2));
        // The oracle: openssl finds the flipped bit and accepts SHA-1; refusing SHA-1 is our policy.
        assertTrue(opensslVerifies(tree.resolve("kernel/lib/chain/chain_c.ko.zst")));
        assertTrue(!opensslVerifies(tampered));
        assertTrue(opensslVerifies(sha1));

        Path bundle = pack(tree, "damaged.kpack");
        CliTest.Run run = CliTest.run("verify", bundle.toString(), "--modules", "--module-cert", certDer.toString());
        assertEquals(1, run.exit(), run.out() + run.err());
        List<String> listed = run.out().lines().filter(l -> l.startsWith("failed:") || l.startsWith("unsigned:"))
                .toList();
        assertEquals(4, listed.size(), run.out());
        assertTrue(listed.contains("unsigned:    " + WEAK_USER), run.out());
        assertTrue(listed.stream().anyMatch(l -> l.startsWith("failed:      " + STANDALONE + ": bad signature: ")),
                run.out());
        assertTrue(listed.stream().anyMatch(l -> l.startsWith("failed:      " + SOFTDEP_USER
                + ": refused algorithm: digest SHA1 is refused")), run.out());
        assertTrue(listed.stream().anyMatch(l -> l.startsWith("failed:      " + TRUNCATED_XZ + ": " + TRUNCATED_XZ
                + ": cannot decompress the module")), run.out());
        assertTrue(run.out().contains("modules:     " + (moduleCount - 4) + " of " + moduleCount
                + " verified against " + certDer + "; 1 unsigned, 3 failed"), run.out());
        assertEquals("kmodpack: " + bundle + ": 4 of " + moduleCount + " modules are unsigned or fail their "
                + "signature check against " + certDer + " (listed above); sign them with that certificate's key "
                + "(the kernel's scripts/sign-file), or give the certificate they were signed with\n", run.err());
    }

    /**
     * Modules the kernel refuses before it looks for a key are failed, not unsigned: a signature length of
     * 0x7fffffff (EBADMSG), a .ko that is not ELF and a .ko.xz that is not xz (ENOEXEC); modinfo words the last
     * two as kmod 30 does.
     */
    @Test
    void corruptTrailersAndModulesThatAreNotElfFailAndModinfoSaysExecFormatError() throws IOException,
            InterruptedException {
        Path tree = work.resolve("broken");
        SignedModuleTest.copyTree(signedTree, tree);
        Path badLength = tree.resolve("kernel/drivers/diamond/diamond_bottom.ko");
        byte[] bytes = Files.readAllBytes(badLength);
        java.nio.ByteBuffer.wrap(bytes).putInt(bytes.length - 28 - 4, 0x7fffffff);
        Files.write(badLength, bytes);
        Path notElf = tree.resolve("kernel/drivers/acpi/acpi_button_lite.ko");
        Files.writeString(notElf, "not an ELF file\n");
        Path notXz = tree.resolve("kernel/fs/fuse/fuse_lite.ko.xz");
        Files.writeString(notXz, "not xz either\n");
        Path bundle = pack(tree, "broken.kpack");

        CliTest.Run run = CliTest.run("verify", bundle.toString(), "--modules", "--module-cert", certDer.toString());
        assertEquals(1, run.exit(), run.out() + run.err());
        List<String> listed = run.out().lines().filter(l -> l.startsWith("failed:") || l.startsWith("unsigned:"))
                .toList();
        assertEquals(List.of("failed:      kernel/drivers/acpi/acpi_button_lite.ko: not an ELF module (the kernel "
                        + "refuses it: Exec format error); rebuild or reinstall it",
                "failed:      kernel/drivers/diamond/diamond_bottom.ko: the signature trailer's lengths do not fit "
                        + "in the module (the kernel refuses it: Bad message); sign it again with the kernel's "
                        + "scripts/sign-file",
                "failed:      kernel/fs/fuse/fuse_lite.ko.xz: not an ELF module (the kernel refuses it: Exec format "
                        + "error); rebuild or reinstall it"), listed.stream().sorted().toList(), run.out());
        assertTrue(run.out().contains("; 0 unsigned, 3 failed"), run.out());

        for (Path module : List.of(notElf, notXz)) {
            String name = module.getFileName().toString().replaceFirst("\\.ko.*", "");
            Process kmod = new ProcessBuilder("modinfo", module.toString()).start();
            String kmodError = new String(kmod.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            kmod.waitFor();
            assertEquals("modinfo: ERROR: could not get modinfo from '" + name + "': Exec format error\n", kmodError,
                    "kmod 30, the oracle");
            CliTest.Run modinfo = CliTest.run("modinfo", bundle.toString(), name);
            assertEquals(1, modinfo.exit(), modinfo.err());
            assertEquals(kmodError, modinfo.err());
        }
    }

    @Test
    void anotherKernelKeyWithTheSameSubjectVerifiesNothing() throws IOException {
        Path other = ModuleSigner.kernelKey(work.resolve("other-certs")).resolveSibling("signing_key.x509");
        CliTest.Run run = CliTest.run("verify", signedBundle.toString(), "--modules", "--module-cert",
                other.toString());
        assertEquals(1, run.exit(), run.out() + run.err());
        assertEquals(moduleCount, run.out().lines().filter(l -> l.startsWith("failed:") && l.contains(
                ": untrusted signer: ")).count(), run.out());
        assertTrue(run.out().contains("modules:     0 of " + moduleCount + " verified"), run.out());
    }

    @Test
    void bundleSignaturesAreCheckedAlongsideWhenTrustIsGiven() throws IOException {
        Path release = work.resolve("release");
        assertEquals(0, CliTest.run("keygen", "-o", release.toString()).exit());
        Path bundle = work.resolve("both.kpack");
        Files.copy(signedBundle, bundle);
        CliTest.Run unsignedBundle = CliTest.run("verify", bundle.toString(), "--trust", release + ".pub",
                "--modules", "--module-cert", certDer.toString());
        assertEquals(1, unsignedBundle.exit(), unsignedBundle.out());
        assertTrue(unsignedBundle.err().contains("refused: the bundle is unsigned"), unsignedBundle.err());
        assertEquals(0, CliTest.run("sign", bundle.toString(), "--key", release + ".key").exit());
        CliTest.Run both = CliTest.run("verify", bundle.toString(), "--trust", release + ".pub", "--modules",
                "--module-cert", certDer.toString());
        assertEquals(0, both.exit(), both.out() + both.err());
        assertTrue(both.out().contains("verified:    1 trusted key (1 required)")
                && both.out().contains(moduleCount + " of " + moduleCount + " verified"), both.out());
    }

    @Test
    void usageErrors() {
        assertEquals(2, CliTest.run("verify", signedBundle.toString(), "--modules").exit());
        assertEquals(2, CliTest.run("verify", signedBundle.toString(), "--module-cert", certDer.toString()).exit());
        assertEquals(2, CliTest.run("verify", signedBundle.toString(), "--modules", "--module-cert",
                certDer.toString(), "--min-serial", "5").exit());
    }

    /**
     * Debian signs its modules at build time with a throw-away key whose certificate only the kernel image
     * holds; taken from vmlinuz, it verifies every module, and a key of ours verifies none.
     */
    @Test
    void debianCloudModulesVerifyAgainstTheCertificateInTheirKernel() throws IOException {
        Path moduleDir = DebianKernels.moduleDir("cloud");
        Path root = moduleDir.getParent().getParent().getParent();
        String kver = moduleDir.getFileName().toString();
        Path bundle = pack(moduleDir, "debian-cloud.kpack");
        Path debianCert = work.resolve("debian-kernel-certs.pem");
        CliTest.Run cert = CliTest.run("cert", "--from-vmlinuz", root.resolve("boot/vmlinuz-" + kver).toString(),
                "-o", debianCert.toString());
        assertEquals(0, cert.exit(), cert.err());
        assertTrue(cert.out().contains(debianCert + ": CN=Build time autogenerated kernel key\n"), cert.out());

        CliTest.Run good = CliTest.run("verify", bundle.toString(), "--modules", "--module-cert",
                debianCert.toString());
        assertEquals(0, good.exit(), good.out() + good.err());
        Matcher count = Pattern.compile("modules:     (\\d+) of (\\d+) verified").matcher(good.out());
        assertTrue(count.find(), good.out());
        assertEquals(count.group(1), count.group(2));
        int modules = Integer.parseInt(count.group(1));
        assertEquals(modules(moduleDir).size(), modules);
        assertTrue(modules > 1000, good.out());
        assertTrue(good.out().contains("signed by:   issuer 'CN=Build time autogenerated kernel key' serial 0x"),
                good.out());

        // Every signer agrees with what modinfo reads from the index (itself checked against kmod elsewhere).
        try (Bundle opened = Bundle.open(bundle)) {
            Modinfo modinfo = ModuleIndex.of(opened).modinfo("/lib/modules/" + kver);
            for (ModuleSignatureStatus status : ModuleSignatureCheck.check(opened, TrustPolicy.trusting(
                    List.of(debianCert)))) {
                String base = status.path().substring(status.path().lastIndexOf('/') + 1);
                String name = base.substring(0, base.indexOf('.'));
                String signer = modinfo.fields(name).stream().filter(f -> f.key().equals("signer")).findFirst()
                        .orElseThrow().text();
                assertTrue(status.verified() && status.signer().contains("CN=" + signer + "'"), status.toString());
            }
        }

        CliTest.Run ours = CliTest.run("verify", bundle.toString(), "--modules", "--module-cert", certDer.toString());
        assertEquals(1, ours.exit(), ours.out());
        assertEquals(modules, ours.out().lines().filter(l -> l.startsWith("failed:") && l.contains(
                ": untrusted signer: ") && l.contains("(signer issuer 'CN=Build time autogenerated kernel key'"))
                .count(), ours.out());
        assertTrue(ours.out().contains("modules:     0 of " + modules + " verified"), ours.out());
    }

    private static Path pack(Path tree, String name) {
        Path bundle = work.resolve(name);
        CliTest.Run pack = CliTest.run("pack", tree.toString(), "-o", bundle.toString());
        assertEquals(0, pack.exit(), pack.err());
        return bundle;
    }

    private static List<Path> modules(Path tree) throws IOException {
        try (Stream<Path> files = Files.walk(tree)) {
            return files.filter(p -> p.getFileName().toString().matches(".*\\.ko(\\.xz|\\.zst|\\.gz)?"))
                    .filter(Files::isRegularFile).sorted().toList();
        }
    }

    /**
     * openssl cms -verify over the module as the kernel splits it: the file less sig_len, the 12-byte
     * struct and the 28-byte marker is the content, the sig_len bytes before the struct the signature.
     */
    private static boolean opensslVerifies(Path module) throws IOException {
        byte[] elf = ModuleFile.decompress(module.toString(), Files.readAllBytes(module));
        SignatureTrailer trailer = SignatureTrailer.find(elf).orElseThrow();
        assertEquals(elf.length - trailer.signatureLength() - 12 - 28, trailer.signatureStart());
        Path content = work.resolve("content");
        Path signature = work.resolve("content.p7s");
        Files.write(content, java.util.Arrays.copyOf(elf, trailer.signatureStart()));
        Files.write(signature, java.util.Arrays.copyOfRange(elf, trailer.signatureStart(), trailer.signatureEnd()));
        List<String> command = new ArrayList<>(List.of("openssl", "cms", "-verify", "-binary", "-inform", "DER",
                "-in", signature.toString(), "-content", content.toString(), "-certfile", keyPem.toString(),
                "-nointern", "-noverify", "-out", "/dev/null"));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        try {
            int exit = process.waitFor();
            return exit == 0 && output.contains("Verification successful");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }
}
