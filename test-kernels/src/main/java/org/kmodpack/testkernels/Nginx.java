package org.kmodpack.testkernels;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Debian's nginx serving a directory for a test on 127.0.0.1 (or another loopback address): plain HTTP, or HTTPS
 * with a certificate of a {@link TestCa}. One process (no master), so killing it kills the server. The access log
 * records the status, the body bytes sent and the Range asked for of every request: the server's own count of what a client
 * fetched. {@link #pause()} stops the process (connections stay open, nothing is answered): a request sent then is
 * in flight when the test kills or resumes the server.
 */
public final class Nginx implements AutoCloseable {
    /** One logged request. */
    public record Request(int status, long bodyBytes, String range) {
    }

    private final Process process;
    private final InetSocketAddress address;
    private final Path accessLog;
    /** The CA of an HTTPS server, null for plain HTTP. */
    private final Path caCertificate;

    private Nginx(Process process, InetSocketAddress address, Path accessLog, Path caCertificate) {
        this.process = process;
        this.address = address;
        this.accessLog = accessLog;
        this.caCertificate = caCertificate;
    }

    /** Serves {@code root} over plain HTTP; {@code work} holds the configuration and logs. */
    public static Nginx http(Path root, Path work) throws IOException {
        return start(root, work, ServerProcess.freeLoopbackAddress(), null, null);
    }

    /** Serves {@code root} over HTTPS with a server certificate for 127.0.0.1 signed by {@link #caCertificate()}. */
    public static Nginx https(Path root, Path work) throws IOException {
        TestCa ca = TestCa.create(work);
        return start(root, work, ServerProcess.freeLoopbackAddress(),
                ca.issue("server", List.of("IP:127.0.0.1", "DNS:localhost")), ca.certificate());
    }

    /** Serves {@code root} over HTTPS on {@code address} with {@code certificate}, issued by {@code ca}. */
    public static Nginx https(Path root, Path work, InetSocketAddress address, TestCa ca,
            TestCa.ServerCertificate certificate) throws IOException {
        return start(root, work, address, certificate, ca.certificate());
    }

    private static Nginx start(Path root, Path work, InetSocketAddress address, TestCa.ServerCertificate tls,
            Path ca) throws IOException {
        Path nginx = Commands.require("nginx", "nginx-light");
        Files.createDirectories(work.resolve("logs"));
        String listen = "listen " + address.getHostString() + ":" + address.getPort()
                + (tls == null ? ";" : " ssl; ssl_certificate " + tls.certificate() + "; ssl_certificate_key "
                        + tls.key() + ";");
        Path accessLog = work.resolve("logs/access.log");
        String config = String.join("\n",
                "worker_processes 1;",
                "master_process off;",
                "daemon off;",
                "error_log " + work.resolve("logs/error.log") + ";",
                "pid " + work.resolve("nginx.pid") + ";",
                "events { worker_connections 256; }",
                "http {",
                "  log_format ranges '$status $body_bytes_sent \"$http_range\"';",
                "  access_log " + accessLog + " ranges;",
                "  client_body_temp_path " + work.resolve("body") + ";",
                "  proxy_temp_path " + work.resolve("proxy") + ";",
                "  fastcgi_temp_path " + work.resolve("fastcgi") + ";",
                "  uwsgi_temp_path " + work.resolve("uwsgi") + ";",
                "  scgi_temp_path " + work.resolve("scgi") + ";",
                "  server {",
                "    " + listen,
                "    root " + root + ";",
                "  }",
                "}", "");
        Path conf = work.resolve("nginx.conf");
        Files.writeString(conf, config);
        Process process = new ProcessBuilder(nginx.toString(), "-p", work.toString(), "-c", conf.toString())
                .redirectErrorStream(true).redirectOutput(work.resolve("logs/stdout.log").toFile()).start();
        Nginx server = new Nginx(process, address, accessLog, ca);
        try {
            ServerProcess.awaitListening(process, address, "nginx", work.resolve("logs/stdout.log"));
        } catch (IOException | RuntimeException e) {
            server.close();
            throw e;
        }
        return server;
    }

    /** The URL of {@code path} (relative, no leading slash) on this server. */
    public String url(String path) {
        return (caCertificate != null ? "https" : "http") + "://" + address.getHostString() + ":" + address.getPort()
                + "/" + path;
    }

    /** The test CA's certificate (PEM), for HTTPS servers. */
    public Path caCertificate() {
        if (caCertificate == null) {
            throw new IllegalStateException("a plain HTTP server has no CA");
        }
        return caCertificate;
    }

    /** Every request logged so far, in order. */
    public List<Request> requests() throws IOException {
        List<Request> requests = new ArrayList<>();
        for (String line : Files.readAllLines(accessLog)) {
            String[] fields = line.split(" ", 3);
            requests.add(new Request(Integer.parseInt(fields[0]), Long.parseLong(fields[1]),
                    fields[2].substring(1, fields[2].length() - 1)));
        }
        return requests;
    }

    /** The body bytes the server has sent so far. */
    public long bodyBytesSent() throws IOException {
        return requests().stream().mapToLong(Request::bodyBytes).sum();
    }

    /** Forgets the requests logged so far. */
    public void clearLog() throws IOException {
        Files.write(accessLog, new byte[0]);
    }

    /** Stops the server (SIGSTOP): it holds its connections and answers nothing until {@link #resume()}. */
    public void pause() throws IOException {
        signal("-STOP");
    }

    /** Lets a paused server go on (SIGCONT). */
    public void resume() throws IOException {
        signal("-CONT");
    }

    private void signal(String signal) throws IOException {
        Commands.check(Path.of("/"), List.of("kill", signal, Long.toString(process.pid())));
    }

    /** Kills the server at once (SIGKILL): open connections break off mid-body. */
    public void kill() throws IOException {
        ServerProcess.stop(process, true);
    }

    @Override
    public void close() throws IOException {
        ServerProcess.stop(process, false);
    }
}
