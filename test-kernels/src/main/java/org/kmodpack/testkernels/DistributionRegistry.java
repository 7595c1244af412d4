package org.kmodpack.testkernels;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Debian's docker-registry (the CNCF distribution registry) on a loopback address for a test, run directly with a
 * configuration of the test's (not the system service): storage under the test's directory, plain HTTP (or HTTPS
 * with a {@link TestCa}'s certificate), and optionally an htpasswd file (basic auth) or a token service (bearer
 * auth) in front of it.
 */
public final class DistributionRegistry implements AutoCloseable {
    /** How the registry asks clients to authenticate. */
    public sealed interface Auth {
    }

    /** No authentication. */
    public record Open() implements Auth {
    }

    /** Basic auth against htpasswd lines (user:bcrypt-hash). */
    public record Htpasswd(String lines) implements Auth {
    }

    /** Bearer tokens from {@code realm}, signed by the key of {@code rootCertificate} (PEM). */
    public record Token(String realm, String service, String issuer, Path rootCertificate) implements Auth {
    }

    private final Path work;
    private final InetSocketAddress address;
    private Process process;

    private DistributionRegistry(Path work, InetSocketAddress address) {
        this.work = work;
        this.address = address;
    }

    /** A registry over plain HTTP on a free port of 127.0.0.1. */
    public static DistributionRegistry start(Path work, Auth auth) throws IOException {
        return start(work, auth, ServerProcess.freeLoopbackAddress(), Optional.empty());
    }

    /** A registry on {@code address}, over HTTPS with {@code tls} when given. */
    public static DistributionRegistry start(Path work, Auth auth, InetSocketAddress address,
            Optional<TestCa.ServerCertificate> tls) throws IOException {
        Files.createDirectories(work);
        StringBuilder config = new StringBuilder(String.join("\n",
                "version: 0.1",
                "log:",
                "  level: warn",
                "  accesslog:",
                "    disabled: true",
                "storage:",
                "  filesystem:",
                "    rootdirectory: " + work.resolve("storage"),
                "http:",
                "  addr: " + address.getHostString() + ":" + address.getPort(),
                ""));
        tls.ifPresent(certificate -> config.append("  tls:\n    certificate: ").append(certificate.certificate())
                .append("\n    key: ").append(certificate.key()).append('\n'));
        if (auth instanceof Htpasswd htpasswd) {
            Path file = work.resolve("htpasswd");
            Files.writeString(file, htpasswd.lines());
            config.append("auth:\n  htpasswd:\n    realm: kmodpack-test\n    path: ").append(file).append('\n');
        } else if (auth instanceof Token token) {
            config.append("auth:\n  token:\n    realm: ").append(token.realm())
                    .append("\n    service: ").append(token.service())
                    .append("\n    issuer: ").append(token.issuer())
                    .append("\n    rootcertbundle: ").append(token.rootCertificate()).append('\n');
        }
        Files.writeString(work.resolve("config.yml"), config);
        DistributionRegistry started = new DistributionRegistry(work, address);
        started.serve();
        return started;
    }

    /** Stops the registry and starts it again with the same configuration (and the files it names read anew). */
    public void restart() throws IOException {
        ServerProcess.stop(process, false);
        serve();
    }

    private void serve() throws IOException {
        Path registry = Commands.require("docker-registry", "docker-registry");
        process = new ProcessBuilder(registry.toString(), "serve", work.resolve("config.yml").toString())
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(
                        work.resolve("registry.log").toFile())).start();
        try {
            ServerProcess.awaitListening(process, address, "docker-registry", work.resolve("registry.log"));
        } catch (IOException | RuntimeException e) {
            close();
            throw e;
        }
    }

    /** REGISTRY of oci://REGISTRY/REPOSITORY:TAG. */
    public String address() {
        return address.getHostString() + ":" + address.getPort();
    }

    @Override
    public void close() throws IOException {
        ServerProcess.stop(process, false);
    }
}
