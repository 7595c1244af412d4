package org.kmodpack.testkernels;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Debian's docker-registry (the CNCF distribution registry) on 127.0.0.1 for a test, run directly with a
 * configuration of the test's (not the system service): storage under the test's directory, plain HTTP, and
 * optionally an htpasswd file (basic auth) or a token service (bearer auth) in front of it.
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
    private final int port;
    private Process process;

    private DistributionRegistry(Path work, int port) {
        this.work = work;
        this.port = port;
    }

    public static DistributionRegistry start(Path work, Auth auth) throws IOException {
        int port = ServerProcess.freePort();
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
                "  addr: 127.0.0.1:" + port,
                ""));
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
        DistributionRegistry started = new DistributionRegistry(work, port);
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
            ServerProcess.awaitListening(process, port, "docker-registry", work.resolve("registry.log"));
        } catch (IOException | RuntimeException e) {
            close();
            throw e;
        }
    }

    /** REGISTRY of oci://REGISTRY/REPOSITORY:TAG. */
    public String address() {
        return "127.0.0.1:" + port;
    }

    @Override
    public void close() throws IOException {
        ServerProcess.stop(process, false);
    }
}
