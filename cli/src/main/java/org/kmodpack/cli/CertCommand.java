package org.kmodpack.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.List;
import org.kmodpack.modules.KernelImage;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "cert", mixinStandardHelpOptions = true,
        description = {"Take the module-signing certificates a kernel trusts out of its vmlinuz, as PEM.",
            "The build compiles certs/signing_key.x509 (and CONFIG_SYSTEM_TRUSTED_KEYS) into the image; the kernel "
                + "checks module signatures against them. Reads x86 bzImage, EFI zboot and wholly compressed "
                + "images in gzip, bzip2, lzma, xz, lz4 or zstd (not LZO)."},
        footer = {"", "Examples:", "  kmodpack cert --from-vmlinuz /boot/vmlinuz-$(uname -r) -o kernel-certs.pem",
            "  kmodpack verify modules-$(uname -r).kpack --modules --module-cert kernel-certs.pem"})
final class CertCommand extends Subcommand {
    @Option(names = "--from-vmlinuz", paramLabel = "VMLINUZ", required = true,
            description = "The kernel image (/boot/vmlinuz-KVER).")
    Path vmlinuz;

    @Option(names = {"-o", "--output"}, paramLabel = "FILE",
            description = "Write the PEM certificates to FILE and list them on stdout (default: the PEM to stdout).")
    Path output;

    @Override
    public Integer call() throws Exception {
        if (output != null) {
            OutputFile.checkWritable(output);
        }
        List<X509Certificate> certificates = KernelImage.builtinCertificates(Files.readAllBytes(vmlinuz),
                vmlinuz.toString());
        StringBuilder pem = new StringBuilder();
        for (X509Certificate certificate : certificates) {
            pem.append(pem(certificate));
        }
        PrintWriter out = out();
        if (output == null) {
            out.print(pem);
        } else {
            Path staged = Files.createTempFile(output.toAbsolutePath().getParent(), "." + output.getFileName(), ".tmp");
            try {
                Files.writeString(staged, pem, StandardCharsets.US_ASCII);
                Files.move(staged, output, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                        java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            } catch (IOException e) {
                throw OutputFile.named(output, e);
            } finally {
                Files.deleteIfExists(staged);
            }
            for (X509Certificate certificate : certificates) {
                out.printf("%s: %s%n", output, certificate.getSubjectX500Principal().getName());
            }
        }
        out.flush();
        return 0;
    }

    private static String pem(X509Certificate certificate) throws CertificateEncodingException {
        return "-----BEGIN CERTIFICATE-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(
                        certificate.getEncoded())
                + "\n-----END CERTIFICATE-----\n";
    }
}
