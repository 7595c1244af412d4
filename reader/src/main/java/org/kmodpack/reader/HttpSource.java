package org.kmodpack.reader;

import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;

/**
 * A bundle on an HTTP(S) server, read by Range requests through the JDK's HTTP client. The first request fetches
 * the header and learns the length; {@link #prefetch} fetches the index and signature block in one more. Every
 * read is bounded by the timeout, retries included; 5xx answers, refused connections and timeouts are retried
 * with doubling pauses, other answers fail at once. The ETag of the first answer is sent as If-Match with every
 * later request, so a file replaced on the server fails as "changed" instead of as a hash mismatch.
 */
final class HttpSource implements ByteSource {
    private static final Pattern CONTENT_RANGE = Pattern.compile("bytes (\\d+)-(\\d+)/(\\d+)");
    private static final Duration FIRST_PAUSE = Duration.ofMillis(200);

    private final URI uri;
    private final String name;
    private final RemoteAuthorization authorization;
    private final HttpClient client;
    private final RemoteOptions options;
    private final long length;
    private final Optional<String> etag;
    /** Ranges fetched ahead (the header, then the index and signature block), served from memory. */
    private final List<Fetched> fetched = new CopyOnWriteArrayList<>();

    private record Fetched(long position, byte[] bytes) {
        boolean covers(long from, int count) {
            return from >= position && from + count <= position + bytes.length;
        }
    }

    private record Answer(long total, byte[] bytes, Optional<String> etag) {
    }

    private HttpSource(URI uri, String name, RemoteAuthorization authorization, HttpClient client,
            RemoteOptions options, long length, Optional<String> etag) {
        this.uri = uri;
        this.name = name;
        this.authorization = authorization;
        this.client = client;
        this.options = options;
        this.length = length;
        this.etag = etag;
    }

    /**
     * Opens {@code uri} through {@code client}, with the credentials of {@code authorization} on every request, and
     * naming the source {@code name}; fetches its first {@code headBytes} bytes (or the whole file if shorter).
     */
    static HttpSource open(URI uri, String name, RemoteAuthorization authorization, HttpClient client,
            RemoteOptions options, int headBytes) throws IOException {
        Answer head = fetch(client, uri, authorization, options, Optional.empty(), 0, headBytes, true);
        HttpSource source = new HttpSource(uri, name, authorization, client, options, head.total(), head.etag());
        source.fetched.add(new Fetched(0, head.bytes()));
        return source;
    }

    /** The client every remote read uses: HTTP/1.1, redirects followed, the JDK's CAs and those of --ca. */
    static HttpClient client(RemoteOptions options) throws IOException {
        return HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(options.timeout())
                .followRedirects(HttpClient.Redirect.NORMAL)
                .sslContext(sslContext(options.caFile()))
                .build();
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public long length() {
        return length;
    }

    @Override
    public boolean isRemote() {
        return true;
    }

    @Override
    public void prefetch(long position, long count) throws IOException {
        if (count <= 0 || count > Integer.MAX_VALUE || position < 0 || position + count > length
                || held(position, (int) count).isPresent()) {
            return;
        }
        fetched.add(new Fetched(position, fetch(client, uri, authorization, options, etag, position, (int) count, false).bytes()));
    }

    @Override
    public byte[] read(long position, int count) throws IOException {
        Optional<byte[]> held = held(position, count);
        if (held.isPresent()) {
            return held.get();
        }
        if (position < 0 || position + count > length) {
            throw new SourceReadException("bytes " + position + "-" + (position + count - 1) + " are past the end of the "
                    + length + "-byte file", null);
        }
        return fetch(client, uri, authorization, options, etag, position, count, false).bytes();
    }

    private Optional<byte[]> held(long position, int count) {
        for (Fetched range : fetched) {
            if (range.covers(position, count)) {
                int from = (int) (position - range.position());
                return Optional.of(java.util.Arrays.copyOfRange(range.bytes(), from, from + count));
            }
        }
        return Optional.empty();
    }

    @Override
    public void close() {
        fetched.clear();
        // The client's connections close when it is collected; JDK 17's HttpClient has no close().
    }

    /**
     * GETs bytes {@code position..position+count-1} within the timeout, retrying what may pass; {@code shorter}
     * accepts fewer bytes when the file ends first (the first request, which does not know the length yet).
     */
    private static Answer fetch(HttpClient client, URI uri, RemoteAuthorization authorization,
            RemoteOptions options, Optional<String> etag, long position, int count, boolean shorter)
            throws IOException {
        String range = position + "-" + (position + count - 1);
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).GET().header("Range", "bytes=" + range)
                .timeout(options.timeout());
        etag.ifPresent(tag -> request.header("If-Match", tag));
        long start = System.nanoTime();
        long deadline = start + options.timeout().toNanos();
        Duration pause = FIRST_PAUSE;
        String failure = null;
        int attempt = 0;
        boolean renewed = false;
        while (true) {
            attempt++;
            long left = deadline - System.nanoTime();
            authorization.header().ifPresent(value -> request.setHeader("Authorization", value));
            // Only a 206 body is kept; the future completes once the whole body is in, so the deadline bounds a
            // server that stalls mid-body as well as one that never answers.
            Future<HttpResponse<byte[]>> sent = client.sendAsync(request.build(), info -> info.statusCode() == 206
                    ? HttpResponse.BodySubscribers.ofByteArray()
                    : HttpResponse.BodySubscribers.replacing(new byte[0]));
            boolean retry;
            try {
                HttpResponse<byte[]> response = sent.get(left, TimeUnit.NANOSECONDS);
                int status = response.statusCode();
                if (status == 206) {
                    return body(response, position, count, shorter);
                }
                if (status == 401 && !renewed) {
                    // An expired token: renewed once per read, then the read goes on at once.
                    renewed = true;
                    try {
                        authorization.renew(response.headers().firstValue("WWW-Authenticate").orElse(""));
                        continue;
                    } catch (IOException e) {
                        throw new SourceReadException("bytes " + range + ": HTTP 401 Unauthorized, and new "
                                + "credentials could not be had: " + e.getMessage(), e);
                    }
                }
                failure = "HTTP " + status + reason(status);
                retry = status >= 500 || status == 408 || status == 429;
                if (status == 200) {
                    failure += " without the range asked for: the server does not serve byte ranges";
                } else if (status == 412) {
                    failure = "the file changed on the server since it was opened (its ETag no longer matches):"
                            + " open it again";
                }
            } catch (TimeoutException e) {
                sent.cancel(true);
                failure = "no whole answer within " + seconds(options.timeout().toNanos());
                retry = false;
            } catch (ExecutionException e) {
                Throwable cause = e.getCause();
                failure = cause instanceof ConnectException ? "connection refused" : describe(cause);
                retry = true;
            } catch (InterruptedException e) {
                sent.cancel(true);
                Thread.currentThread().interrupt();
                throw new java.io.InterruptedIOException("interrupted while reading bytes " + range);
            }
            long now = System.nanoTime();
            if (!retry || attempt > options.retries() || now + pause.toNanos() >= deadline) {
                throw new SourceReadException("bytes " + range + ": " + failure + " (" + attempt
                        + (attempt == 1 ? " attempt" : " attempts") + " in " + seconds(now - start) + ")", null);
            }
            try {
                Thread.sleep(pause.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new java.io.InterruptedIOException("interrupted while reading bytes " + range);
            }
            pause = pause.multipliedBy(2);
        }
    }

    private static Answer body(HttpResponse<byte[]> response, long position, int count, boolean shorter)
            throws SourceReadException {
        String contentRange = response.headers().firstValue("Content-Range").orElse("");
        Matcher m = CONTENT_RANGE.matcher(contentRange);
        if (!m.matches()) {
            throw new SourceReadException("answer 206 without a Content-Range of bytes (got '" + contentRange + "')",
                    null);
        }
        long first = Long.parseLong(m.group(1));
        long last = Long.parseLong(m.group(2));
        long total = Long.parseLong(m.group(3));
        long expectedLast = shorter ? Math.min(position + count, total) - 1 : position + count - 1;
        byte[] bytes = response.body();
        if (first != position || last != expectedLast || bytes.length != last - first + 1) {
            throw new SourceReadException("the server answered with bytes " + first + "-" + last + " of " + total
                    + " (" + bytes.length + " bytes of body) when asked for " + position + "-"
                    + (position + count - 1), null);
        }
        return new Answer(total, bytes, response.headers().firstValue("ETag").filter(tag -> !tag.startsWith("W/")));
    }

    private static String describe(Throwable cause) {
        if (cause instanceof java.io.UncheckedIOException unchecked) {
            cause = unchecked.getCause();
        }
        if (cause instanceof javax.net.ssl.SSLHandshakeException) {
            return "TLS handshake failed (" + cause.getMessage() + "): give the server's CA with --ca FILE";
        }
        String message = cause.getMessage();
        return message == null || message.isBlank() ? cause.getClass().getSimpleName() : message;
    }

    private static String reason(int status) {
        return switch (status) {
            case 404 -> " Not Found";
            case 403 -> " Forbidden";
            case 401 -> " Unauthorized";
            case 416 -> " Range Not Satisfiable";
            case 500 -> " Internal Server Error";
            case 502 -> " Bad Gateway";
            case 503 -> " Service Unavailable";
            case 504 -> " Gateway Timeout";
            default -> "";
        };
    }

    private static String seconds(long nanos) {
        return String.format(Locale.ROOT, "%.1f s", nanos / 1e9);
    }

    /** The JDK's default trust, plus the certificates of {@code caFile} when given. */
    private static SSLContext sslContext(Optional<Path> caFile) throws IOException {
        try {
            if (caFile.isEmpty()) {
                return SSLContext.getDefault();
            }
            TrustManagerFactory system = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            system.init((KeyStore) null);
            KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
            store.load(null, null);
            int n = 0;
            for (var manager : system.getTrustManagers()) {
                if (manager instanceof X509TrustManager x509) {
                    for (X509Certificate ca : x509.getAcceptedIssuers()) {
                        store.setCertificateEntry("system-" + n++, ca);
                    }
                }
            }
            Collection<? extends Certificate> added;
            try (InputStream in = Files.newInputStream(caFile.get())) {
                added = CertificateFactory.getInstance("X.509").generateCertificates(in);
            } catch (java.security.cert.CertificateException e) {
                throw new IOException(caFile.get() + ": not a PEM or DER certificate: " + e.getMessage(), e);
            }
            if (added.isEmpty()) {
                throw new IOException(caFile.get() + ": holds no certificate; give the CA's certificate (PEM or DER)");
            }
            for (Certificate ca : added) {
                store.setCertificateEntry("ca-" + n++, ca);
            }
            TrustManagerFactory trusting = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trusting.init(store);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, trusting.getTrustManagers(), null);
            return context;
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot set up TLS: " + e.getMessage(), e);
        }
    }
}
