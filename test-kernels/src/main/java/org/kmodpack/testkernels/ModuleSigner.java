package org.kmodpack.testkernels;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * Signs modules the way a kernel build does, with openssl: a key made like certs/signing_key.pem, and
 * scripts/sign-file's signature (CMS_sign/CMS_add1_signer with CMS_NOCERTS | CMS_BINARY | CMS_NOSMIMECAP |
 * CMS_NOATTR, detached, DER; CMS_USE_KEYID with -k) appended with the module_signature trailer. Compressed
 * modules are signed as the build signs them: the ELF first, then compressed.
 */
public final class ModuleSigner {
    /** The kernel's certs/default_x509.genkey, as a kernel build writes it to certs/x509.genkey. */
    private static final String KERNEL_GENKEY = """
            [ req ]
            default_bits = 4096
            distinguished_name = req_distinguished_name
            prompt = no
            string_mask = utf8only
            x509_extensions = myexts

            [ req_distinguished_name ]
            O = Magrathea
            CN = Glacier signing key
            emailAddress = slartibartfast@magrathea.h2g2

            [ myexts ]
            basicConstraints=critical,CA:FALSE
            keyUsage=digitalSignature
            subjectKeyIdentifier=hash
            authorityKeyIdentifier=keyid
            """;
    private static final byte[] MARKER = "~Module signature appended~\n".getBytes(StandardCharsets.US_ASCII);

    private ModuleSigner() {
    }

    /**
     * Makes DIR/signing_key.pem (RSA 4096 key and certificate in one PEM) and DIR/signing_key.x509 (the
     * certificate in DER) as certs/Makefile does; returns the PEM.
     */
    public static Path kernelKey(Path dir) throws IOException {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("x509.genkey"), KERNEL_GENKEY);
        openssl(dir, "req", "-new", "-nodes", "-utf8", "-sha512", "-days", "36500", "-batch", "-x509", "-config",
                "x509.genkey", "-outform", "PEM", "-out", "signing_key.pem", "-keyout", "signing_key.pem");
        openssl(dir, "x509", "-in", "signing_key.pem", "-outform", "DER", "-out", "signing_key.x509");
        return dir.resolve("signing_key.pem");
    }

    /**
     * Appends a signature by {@code key} and {@code cert} (PEM; one file may hold both) over the module's ELF
     * bytes with {@code digest} ("sha256", ...); the signer is named by issuer and serial, or with
     * {@code byKeyId} by subject key id (sign-file -k). A .ko.xz/.ko.zst/.ko.gz is decompressed, signed and
     * compressed again with the kernel's options.
     */
    public static void sign(Path module, Path key, Path cert, String digest, boolean byKeyId) throws IOException {
        String name = module.getFileName().toString();
        Compression compression = name.endsWith(".xz") ? Compression.XZ : name.endsWith(".zst") ? Compression.ZSTD
                : name.endsWith(".gz") ? Compression.GZIP : Compression.NONE;
        Path elf = module;
        if (compression != Compression.NONE) {
            elf = module.resolveSibling(name.substring(0, name.length() - compression.extension().length()) + ".ko");
            decompress(module, compression);
        }
        Path signature = elf.resolveSibling(elf.getFileName() + ".p7s");
        List<String> args = new ArrayList<>(List.of("cms", "-sign", "-binary", "-noattr", "-nocerts",
                "-nosmimecap", "-outform", "DER", "-md", digest, "-signer", cert.toString(), "-inkey",
                key.toString(), "-in", elf.toString(), "-out", signature.toString()));
        if (byKeyId) {
            args.add("-keyid");
        }
        openssl(elf.getParent(), args.toArray(String[]::new));
        byte[] sig = Files.readAllBytes(signature);
        Files.delete(signature);
        ByteBuffer trailer = ByteBuffer.allocate(12 + MARKER.length);
        trailer.put(new byte[] {0, 0, 2, 0, 0, 0, 0, 0}).putInt(sig.length).put(MARKER);
        Files.write(elf, sig, StandardOpenOption.APPEND);
        Files.write(elf, trailer.array(), StandardOpenOption.APPEND);
        compression.compress(elf);
    }

    private static void decompress(Path module, Compression compression) throws IOException {
        String program = switch (compression) {
            case XZ -> "xz";
            case ZSTD -> "zstd";
            default -> "gzip";
        };
        List<String> command = List.of(Commands.require(program, compression.debianPackage()).toString(), "-d",
                "-q", module.getFileName().toString());
        Commands.check(module.getParent(), command);
        if (compression == Compression.ZSTD) {
            Files.delete(module); // zstd keeps its input
        }
    }

    private static void openssl(Path dir, String... args) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Commands.require("openssl", "openssl").toString());
        command.addAll(List.of(args));
        Commands.check(dir, command);
    }
}
