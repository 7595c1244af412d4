package org.kmodpack.oci;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.kmodpack.format.Sha256;
import org.kmodpack.reader.Bundle;
import org.kmodpack.reader.ByteSource;
import org.kmodpack.reader.RemoteAuthorization;
import org.kmodpack.reader.RemoteHttp;
import org.kmodpack.reader.RemoteOptions;

/**
 * One repository of an OCI registry, spoken to as the distribution spec says: the manifest names the bundle blob
 * by its media type, the blob is read by Range requests, uploads are monolithic. When the registry answers 401
 * it is asked again with what its WWW-Authenticate asks for: a bearer token from its token service (with the
 * credentials, if any) or the credentials as Basic auth. HTTPS, except on loopback or with plain HTTP asked for.
 */
public final class Registry {
    /** The media type of a kmodpack bundle as an OCI artifact (its one layer). */
    public static final String BUNDLE_MEDIA_TYPE = "application/vnd.kmodpack.bundle.v1";
    public static final String MANIFEST_MEDIA_TYPE = "application/vnd.oci.image.manifest.v1+json";
    public static final String KERNEL_VERSION_ANNOTATION = "org.kmodpack.kernel.version";
    public static final String STATEMENT_ANNOTATION = "org.kmodpack.statement.sha256";
    private static final String EMPTY_MEDIA_TYPE = "application/vnd.oci.empty.v1+json";
    private static final byte[] EMPTY_CONFIG = "{}".getBytes(StandardCharsets.US_ASCII);
    private static final Pattern CHALLENGE_PARAMETER = Pattern.compile("(\\w+)=\"([^\"]*)\"");

    private final OciReference reference;
    private final RemoteOptions options;
    private final Optional<Credentials> credentials;
    private final HttpClient client;
    private final URI base;
    private volatile Optional<String> authorization = Optional.empty();

    /** A layer of a manifest: the bundle blob. */
    public record Blob(String digest, long size) {
    }

    public Registry(OciReference reference, RemoteOptions options, boolean plainHttp,
            Optional<Credentials> credentials) throws IOException {
        this.reference = reference;
        this.options = options;
        this.credentials = credentials;
        this.client = RemoteHttp.client(options);
        this.base = URI.create((plainHttp || reference.isLoopback() ? "http" : "https") + "://" + reference.registry()
                + "/v2/" + reference.repository() + "/");
    }

    /** The bundle blob the manifest names, opened for Range reads (and the disk cache of {@code options}). */
    public ByteSource openBundle() throws IOException {
        Blob blob = bundleBlob();
        URI uri = base.resolve("blobs/" + blob.digest());
        // The manifest's pull token serves the blob reads too, and is renewed when it expires.
        RemoteAuthorization renewing = new RemoteAuthorization() {
            @Override
            public Optional<String> header() {
                return authorization;
            }

            @Override
            public void renew(String challenge) throws IOException {
                authorization = Optional.of(authorize(challenge, "reading the bundle blob"));
            }
        };
        return ByteSource.cached(ByteSource.http(uri, reference.toString(), renewing, client, options), options);
    }

    /** The layer of the manifest that holds the bundle. */
    public Blob bundleBlob() throws IOException {
        HttpResponse<byte[]> response = send(HttpRequest.newBuilder(base.resolve("manifests/" + reference.reference()))
                .header("Accept", MANIFEST_MEDIA_TYPE).GET(), "fetching the manifest");
        expect(response, 200, "fetching the manifest");
        if (reference.digest().isPresent() && !reference.digest().get().equals(digest(response.body()))) {
            throw new IOException(reference + ": the registry sent a manifest whose digest is "
                    + digest(response.body()) + ", not the one asked for");
        }
        try {
            JsonObject manifest = JsonParser.parseString(new String(response.body(), StandardCharsets.UTF_8))
                    .getAsJsonObject();
            JsonArray layers = manifest.has("layers") ? manifest.getAsJsonArray("layers") : new JsonArray();
            for (JsonElement layer : layers) {
                JsonObject descriptor = layer.getAsJsonObject();
                if (BUNDLE_MEDIA_TYPE.equals(descriptor.get("mediaType").getAsString())) {
                    return new Blob(descriptor.get("digest").getAsString(), descriptor.get("size").getAsLong());
                }
            }
        } catch (JsonParseException | IllegalStateException | ClassCastException | NullPointerException
                | UnsupportedOperationException e) {
            throw new IOException(reference + ": the manifest is not an OCI image manifest: " + e.getMessage(), e);
        }
        throw new IOException(reference + ": the artifact holds no kmodpack bundle (no layer of media type "
                + BUNDLE_MEDIA_TYPE + "); push one with 'kmodpack push BUNDLE " + reference + "'");
    }

    /**
     * Downloads the bundle blob to {@code output} (replaced only once whole), checking it against the manifest's
     * digest; returns the blob.
     */
    public Blob pull(Path output) throws IOException {
        Blob blob = bundleBlob();
        Path absolute = output.toAbsolutePath();
        Path temporary = Files.createTempFile(absolute.getParent(), "." + absolute.getFileName(), ".tmp");
        try {
            HttpResponse<Path> response = sendTo(HttpRequest.newBuilder(base.resolve("blobs/" + blob.digest())).GET(),
                    temporary, "downloading the bundle blob");
            if (response.statusCode() != 200) {
                throw new IOException(reference + ": downloading the bundle blob: HTTP " + response.statusCode());
            }
            String actual = digest(temporary);
            if (!actual.equals(blob.digest())) {
                throw new IOException(reference + ": the downloaded blob's digest is " + actual + ", not the "
                        + blob.digest() + " its manifest names");
            }
            Files.move(temporary, absolute, StandardCopyOption.REPLACE_EXISTING);
            return blob;
        } finally {
            Files.deleteIfExists(temporary);
        }
    }

    /**
     * Uploads {@code bundle} (unless the registry has its blob already) and a manifest naming it, tagged with this
     * reference's tag; its annotations carry the kernel version and the signed statement's SHA-256. Returns the
     * manifest's digest.
     */
    public String push(Path bundle) throws IOException {
        if (reference.tag().isEmpty()) {
            throw new IOException(reference + ": push to a tag (oci://REGISTRY/REPOSITORY:TAG), not a digest");
        }
        Map<String, String> annotations = new LinkedHashMap<>();
        try (Bundle opened = Bundle.open(bundle)) {
            annotations.put(KERNEL_VERSION_ANNOTATION, opened.kernelVersion());
            opened.statementSha256().ifPresent(sha -> annotations.put(STATEMENT_ANNOTATION, HexFormat.of().formatHex(sha)));
        }
        annotations.put("org.opencontainers.image.title", bundle.getFileName().toString());
        String bundleDigest = digest(bundle);
        long bundleSize = Files.size(bundle);
        String configDigest = digest(EMPTY_CONFIG);
        upload(configDigest, HttpRequest.BodyPublishers.ofByteArray(EMPTY_CONFIG));
        upload(bundleDigest, HttpRequest.BodyPublishers.ofFile(bundle));

        JsonObject manifest = new JsonObject();
        manifest.addProperty("schemaVersion", 2);
        manifest.addProperty("mediaType", MANIFEST_MEDIA_TYPE);
        manifest.addProperty("artifactType", BUNDLE_MEDIA_TYPE);
        manifest.add("config", descriptor(EMPTY_MEDIA_TYPE, configDigest, EMPTY_CONFIG.length, Map.of()));
        JsonArray layers = new JsonArray();
        layers.add(descriptor(BUNDLE_MEDIA_TYPE, bundleDigest, bundleSize,
                Map.of("org.opencontainers.image.title", bundle.getFileName().toString())));
        manifest.add("layers", layers);
        JsonObject annotationObject = new JsonObject();
        annotations.forEach(annotationObject::addProperty);
        manifest.add("annotations", annotationObject);
        byte[] body = manifest.toString().getBytes(StandardCharsets.UTF_8);
        HttpResponse<byte[]> response = send(HttpRequest.newBuilder(base.resolve("manifests/" + reference.tag().get()))
                .header("Content-Type", MANIFEST_MEDIA_TYPE).PUT(HttpRequest.BodyPublishers.ofByteArray(body)),
                "uploading the manifest");
        expect(response, 201, "uploading the manifest");
        return digest(body);
    }

    private void upload(String digest, HttpRequest.BodyPublisher body) throws IOException {
        HttpResponse<byte[]> head = send(HttpRequest.newBuilder(base.resolve("blobs/" + digest))
                .method("HEAD", HttpRequest.BodyPublishers.noBody()), "checking for blob " + digest);
        if (head.statusCode() == 200) {
            return;
        }
        HttpResponse<byte[]> started = send(HttpRequest.newBuilder(base.resolve("blobs/uploads/"))
                .POST(HttpRequest.BodyPublishers.noBody()), "starting the upload of blob " + digest);
        expect(started, 202, "starting the upload of blob " + digest);
        String location = started.headers().firstValue("Location").orElseThrow(() -> new IOException(reference
                + ": the registry started an upload without a Location"));
        URI uploadUri = base.resolve(location);
        String separator = uploadUri.getRawQuery() == null ? "?" : "&";
        URI put = URI.create(uploadUri + separator + "digest=" + URLEncoder.encode(digest, StandardCharsets.UTF_8));
        HttpResponse<byte[]> finished = send(HttpRequest.newBuilder(put)
                .header("Content-Type", "application/octet-stream").PUT(body), "uploading blob " + digest);
        expect(finished, 201, "uploading blob " + digest);
    }

    private static JsonObject descriptor(String mediaType, String digest, long size, Map<String, String> annotations) {
        JsonObject descriptor = new JsonObject();
        descriptor.addProperty("mediaType", mediaType);
        descriptor.addProperty("digest", digest);
        descriptor.addProperty("size", size);
        if (!annotations.isEmpty()) {
            JsonObject object = new JsonObject();
            annotations.forEach(object::addProperty);
            descriptor.add("annotations", object);
        }
        return descriptor;
    }

    private HttpResponse<byte[]> send(HttpRequest.Builder request, String doing) throws IOException {
        return exchange(request, HttpResponse.BodyHandlers.ofByteArray(), doing);
    }

    private HttpResponse<Path> sendTo(HttpRequest.Builder request, Path file, String doing) throws IOException {
        return exchange(request, HttpResponse.BodyHandlers.ofFile(file), doing);
    }

    /** Sends with the authorization held; on 401 gets what the challenge asks for and sends once more. */
    private <T> HttpResponse<T> exchange(HttpRequest.Builder request, HttpResponse.BodyHandler<T> handler,
            String doing) throws IOException {
        request.timeout(options.timeout());
        HttpResponse<T> response = attempt(request, handler, doing);
        if (response.statusCode() == 401) {
            authorization = Optional.of(authorize(response.headers().firstValue("WWW-Authenticate").orElse(""), doing));
            response = attempt(request, handler, doing);
            if (response.statusCode() == 401) {
                throw new IOException(reference + ": " + doing + ": the registry refused the credentials"
                        + credentials.map(c -> " of " + c.username()).orElse(""));
            }
        }
        return response;
    }

    private <T> HttpResponse<T> attempt(HttpRequest.Builder request, HttpResponse.BodyHandler<T> handler,
            String doing) throws IOException {
        authorization.ifPresent(value -> request.setHeader("Authorization", value));
        try {
            return client.send(request.build(), handler);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException(reference + ": interrupted while " + doing);
        } catch (IOException e) {
            throw new IOException(reference + ": " + doing + ": " + (e instanceof java.net.ConnectException
                    ? "connection refused" : e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName())
                    + (e instanceof javax.net.ssl.SSLException ? " (a registry without TLS: --plain-http; a private "
                    + "CA: --ca FILE)" : ""), e);
        }
    }

    /** The Authorization header value that answers {@code challenge}. */
    private String authorize(String challenge, String doing) throws IOException {
        String scheme = challenge.split(" ", 2)[0];
        if (scheme.equalsIgnoreCase("Basic")) {
            return credentials.orElseThrow(() -> needCredentials(doing)).basic();
        }
        if (!scheme.equalsIgnoreCase("Bearer")) {
            throw new IOException(reference + ": " + doing + ": the registry asks for authentication of a kind "
                    + "not supported ('" + challenge + "')");
        }
        Map<String, String> parameters = new LinkedHashMap<>();
        Matcher m = CHALLENGE_PARAMETER.matcher(challenge);
        while (m.find()) {
            parameters.put(m.group(1), m.group(2));
        }
        String realm = parameters.remove("realm");
        if (realm == null) {
            throw new IOException(reference + ": " + doing + ": a Bearer challenge without a realm");
        }
        StringBuilder query = new StringBuilder();
        for (Map.Entry<String, String> parameter : parameters.entrySet()) {
            if (List.of("service", "scope").contains(parameter.getKey())) {
                query.append(query.length() == 0 ? "?" : "&").append(parameter.getKey()).append('=')
                        .append(URLEncoder.encode(parameter.getValue(), StandardCharsets.UTF_8));
            }
        }
        HttpRequest.Builder tokenRequest = HttpRequest.newBuilder(URI.create(realm + query)).GET()
                .timeout(options.timeout());
        credentials.ifPresent(c -> tokenRequest.header("Authorization", c.basic()));
        HttpResponse<byte[]> answer;
        try {
            answer = client.send(tokenRequest.build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException(reference + ": interrupted while getting a token");
        }
        if (answer.statusCode() == 401 || answer.statusCode() == 403) {
            throw credentials.isPresent() ? new IOException(reference + ": the token service " + realm
                    + " refused the credentials of " + credentials.get().username()) : needCredentials(doing);
        }
        if (answer.statusCode() != 200) {
            throw new IOException(reference + ": the token service " + realm + " answered HTTP "
                    + answer.statusCode());
        }
        try {
            JsonObject token = JsonParser.parseString(new String(answer.body(), StandardCharsets.UTF_8))
                    .getAsJsonObject();
            JsonElement value = token.has("token") ? token.get("token") : token.get("access_token");
            return "Bearer " + value.getAsString();
        } catch (JsonParseException | IllegalStateException | NullPointerException | UnsupportedOperationException e) {
            throw new IOException(reference + ": the token service " + realm + " answered no token", e);
        }
    }

    private IOException needCredentials(String doing) {
        return new IOException(reference + ": " + doing + ": the registry requires credentials: give --username "
                + "USER --password-stdin, or log in as for other OCI clients (~/.docker/config.json, "
                + "$REGISTRY_AUTH_FILE)");
    }

    private void expect(HttpResponse<?> response, int status, String doing) throws IOException {
        if (response.statusCode() != status) {
            String detail = response.body() instanceof byte[] body && body.length > 0
                    ? ": " + new String(body, 0, Math.min(body.length, 200), StandardCharsets.UTF_8).strip()
                    .replaceAll("\\s+", " ") : "";
            throw new IOException(reference + ": " + doing + ": HTTP " + response.statusCode() + detail);
        }
    }

    static String digest(byte[] bytes) {
        return "sha256:" + HexFormat.of().formatHex(Sha256.of(bytes));
    }

    static String digest(Path file) throws IOException {
        MessageDigest digest = Sha256.newDigest();
        try (var in = Files.newInputStream(file)) {
            byte[] buffer = new byte[1 << 16];
            for (int n; (n = in.read(buffer)) > 0; ) {
                digest.update(buffer, 0, n);
            }
        }
        return "sha256:" + HexFormat.of().formatHex(digest.digest());
    }
}
