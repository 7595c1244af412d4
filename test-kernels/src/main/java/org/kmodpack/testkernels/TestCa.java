package org.kmodpack.testkernels;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A certificate authority made with openssl for a test's TLS servers (P-256 keys, valid for two days), and the
 * server certificates it signs.
 */
public final class TestCa {
    /** A server's certificate signed by the CA and its private key, both PEM. */
    public record ServerCertificate(Path certificate, Path key) {
    }

    private final Path directory;

    private TestCa(Path directory) {
        this.directory = directory;
    }

    /** A new CA whose key and certificate ({@link #certificate()}) are written to {@code directory}. */
    public static TestCa create(Path directory) throws IOException {
        Files.createDirectories(directory);
        Commands.check(directory, List.of(openssl(), "req", "-x509", "-newkey", "ec", "-pkeyopt",
                "ec_paramgen_curve:P-256", "-nodes", "-keyout", "ca.key", "-out", "ca.pem", "-days", "2", "-subj",
                "/CN=kmodpack test CA", "-addext", "basicConstraints=critical,CA:TRUE", "-addext",
                "keyUsage=critical,keyCertSign"));
        return new TestCa(directory);
    }

    /** The CA's certificate (PEM): what a client given it trusts. */
    public Path certificate() {
        return directory.resolve("ca.pem");
    }

    /**
     * A server certificate for {@code names}, subjectAltName entries such as {@code IP:127.0.0.1} or
     * {@code DNS:boot.example} (the first is also the subject's CN), written as {@code file}.pem and
     * {@code file}.key beside the CA's.
     */
    public ServerCertificate issue(String file, List<String> names) throws IOException {
        Path extensions = directory.resolve(file + ".ext");
        Files.writeString(extensions, "subjectAltName=" + String.join(",", names) + "\nbasicConstraints=CA:FALSE\n"
                + "keyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n");
        String commonName = names.get(0).substring(names.get(0).indexOf(':') + 1);
        Commands.check(directory, List.of(openssl(), "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
                "-nodes", "-keyout", file + ".key", "-out", file + ".csr", "-subj", "/CN=" + commonName));
        Commands.check(directory, List.of(openssl(), "x509", "-req", "-in", file + ".csr", "-CA", "ca.pem", "-CAkey",
                "ca.key", "-CAcreateserial", "-out", file + ".pem", "-days", "2", "-extfile", extensions.toString()));
        return new ServerCertificate(directory.resolve(file + ".pem"), directory.resolve(file + ".key"));
    }

    private static String openssl() throws IOException {
        return Commands.require("openssl", "openssl").toString();
    }
}
