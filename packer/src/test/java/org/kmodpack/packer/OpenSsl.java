package org.kmodpack.packer;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.kmodpack.testkernels.ModuleSigner;

/**
 * The openssl command as the independent oracle: it makes the keys and certificates the tests sign with
 * (the way a kernel build and a user would) and checks that our signatures verify outside kmodpack.
 */
final class OpenSsl {
    private OpenSsl() {
    }

    /** Runs openssl in {@code dir}; returns its exit status, stdout and stderr joined. */
    static Result run(Path dir, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of("openssl"));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        try {
            return new Result(process.waitFor(), output);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    static String check(Path dir, String... args) throws IOException {
        Result result = run(dir, args);
        assertEquals(0, result.exit(), () -> "openssl " + String.join(" ", args) + ":\n" + result.output());
        return result.output();
    }

    record Result(int exit, String output) {
    }

    /** certs/signing_key.pem (RSA 4096 key and certificate in one PEM) and signing_key.x509 (DER). */
    static Path kernelSigningKey(Path dir) throws IOException {
        return ModuleSigner.kernelKey(dir);
    }

    /** An Ed25519 private key (PKCS#8 PEM) and its public key (SPKI PEM), named NAME.key and NAME.pub. */
    static Path ed25519(Path dir, String name) throws IOException {
        Files.createDirectories(dir);
        check(dir, "genpkey", "-algorithm", "ed25519", "-out", name + ".key");
        check(dir, "pkey", "-in", name + ".key", "-pubout", "-out", name + ".pub");
        return dir.resolve(name + ".key");
    }

    /**
     * A self-signed certificate NAME.crt with key NAME.key; {@code newkey} as openssl req takes it
     * ("rsa:2048", "ec", ...), extra arguments after it (e.g. -pkeyopt, -set_serial).
     */
    static Path certificate(Path dir, String name, String subject, String newkey, String... extra)
            throws IOException {
        Files.createDirectories(dir);
        List<String> args = new ArrayList<>(List.of("req", "-new", "-nodes", "-x509", "-days", "3650", "-subj",
                subject, "-newkey", newkey, "-keyout", name + ".key", "-out", name + ".crt"));
        args.addAll(List.of(extra));
        check(dir, args.toArray(String[]::new));
        return dir.resolve(name + ".crt");
    }
}
