package org.kmodpack.testkernels;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

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

    private final Process process;
    private final int port;

    private DistributionRegistry(Process process, int port) {
        this.process = process;
        this.port = port;
    }

    public static DistributionRegistry start(Path work, Auth auth) throws IOException {
        Path registry = Commands.require("docker-registry", "docker-registry");
        int port;
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = socket.getLocalPort();
        }
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
        Path file = work.resolve("config.yml");
        Files.writeString(file, config);
        Process process = new ProcessBuilder(registry.toString(), "serve", file.toString()).redirectErrorStream(true)
                .redirectOutput(work.resolve("registry.log").toFile()).start();
        DistributionRegistry started = new DistributionRegistry(process, port);
        try {
            started.awaitListening(work);
        } catch (IOException | RuntimeException e) {
            started.close();
            throw e;
        }
        return started;
    }

    /** REGISTRY of oci://REGISTRY/REPOSITORY:TAG. */
    public String address() {
        return "127.0.0.1:" + port;
    }

    @Override
    public void close() throws IOException {
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while stopping the registry");
        }
    }

    private void awaitListening(Path work) throws IOException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IOException("docker-registry exited with " + process.exitValue() + ": "
                        + Files.readString(work.resolve("registry.log")));
            }
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return;
            } catch (IOException e) {
                try {
                    Thread.sleep(50);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    throw new InterruptedIOException("interrupted while starting the registry");
                }
            }
        }
        throw new IOException("docker-registry did not listen on 127.0.0.1:" + port + " within 20 s");
    }
}
