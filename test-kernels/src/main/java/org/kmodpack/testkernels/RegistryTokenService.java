package org.kmodpack.testkernels;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A registry token service as the distribution spec's token authentication describes, for a test on 127.0.0.1: it
 * checks a client's Basic credentials against one user and answers with a JWT (ES256, "kid" the libtrust key ID
 * the registry derives from {@link #rootCertificate()}) granting the scope asked for. Clients without credentials
 * get 401. The scopes asked for are kept for the test to check.
 */
public final class RegistryTokenService implements AutoCloseable {
    public static final String SERVICE = "kmodpack-test-registry";
    public static final String ISSUER = "kmodpack-test-token-service";

    private final HttpServer server;
    private final Path work;
    private volatile PrivateKey key;
    private volatile String keyId;
    private final String basic;
    private final List<String> scopes = new CopyOnWriteArrayList<>();

    private RegistryTokenService(HttpServer server, Path work, String basic) {
        this.server = server;
        this.work = work;
        this.basic = basic;
    }

    /** Starts the service on a free port; {@code work} gets its signing key and certificate (made with openssl). */
    public static RegistryTokenService start(Path work, String username, String password) throws IOException {
        Files.createDirectories(work);
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
        RegistryTokenService service = new RegistryTokenService(server, work, "Basic " + Base64.getEncoder()
                .encodeToString((username + ":" + password).getBytes(StandardCharsets.UTF_8)));
        service.rotateKey();
        server.createContext("/token", service::answer);
        server.start();
        return service;
    }

    /**
     * Signs from now on with a new key, whose certificate replaces {@link #rootCertificate()}: tokens signed
     * before fail at a registry (re)started with the new certificate, as expired ones do.
     */
    public void rotateKey() throws IOException {
        Path openssl = Commands.require("openssl", "openssl");
        Commands.check(work, List.of(openssl.toString(), "req", "-x509", "-newkey", "ec", "-pkeyopt",
                "ec_paramgen_curve:P-256", "-nodes", "-keyout", "token.key", "-out", "token.pem", "-days", "2",
                "-subj", "/CN=kmodpack test token service"));
        try {
            String pem = Files.readString(work.resolve("token.key"));
            byte[] der = Base64.getMimeDecoder().decode(pem.replaceAll("-----[A-Z ]+-----", "").strip());
            X509Certificate cert;
            try (var in = Files.newInputStream(work.resolve("token.pem"))) {
                cert = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
            }
            keyId = libtrustKeyId(cert.getPublicKey().getEncoded());
            key = KeyFactory.getInstance("EC").generatePrivate(new PKCS8EncodedKeySpec(der));
        } catch (java.security.GeneralSecurityException e) {
            throw new IOException("cannot load the token service's key: " + e.getMessage(), e);
        }
    }

    /** The realm of the registry's Bearer challenge. */
    public String realm() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/token";
    }

    /** The certificate whose key signs the tokens: the registry's rootcertbundle. */
    public Path rootCertificate() {
        return work.resolve("token.pem");
    }

    /** The scopes clients asked for, in order. */
    public List<String> scopes() {
        return List.copyOf(scopes);
    }

    @Override
    public void close() {
        server.stop(0);
    }

    private void answer(HttpExchange exchange) throws IOException {
        try (exchange) {
            if (!basic.equals(exchange.getRequestHeaders().getFirst("Authorization"))) {
                exchange.sendResponseHeaders(401, -1);
                return;
            }
            Map<String, String> query = query(exchange.getRequestURI());
            String scope = query.getOrDefault("scope", "");
            scopes.add(scope);
            List<String> access = new ArrayList<>();
            if (!scope.isEmpty()) {
                String[] parts = scope.split(":");
                access.add("{\"type\":\"" + parts[0] + "\",\"name\":\"" + parts[1] + "\",\"actions\":[\""
                        + String.join("\",\"", parts[2].split(",")) + "\"]}");
            }
            long now = System.currentTimeMillis() / 1000;
            String header = "{\"typ\":\"JWT\",\"alg\":\"ES256\",\"kid\":\"" + keyId + "\"}";
            String claims = "{\"iss\":\"" + ISSUER + "\",\"sub\":\"test\",\"aud\":\"" + query.get("service")
                    + "\",\"exp\":" + (now + 300) + ",\"nbf\":" + (now - 10) + ",\"iat\":" + now + ",\"jti\":\""
                    + UUID.randomUUID() + "\",\"access\":[" + String.join(",", access) + "]}";
            String signed = base64Url(header.getBytes(StandardCharsets.UTF_8)) + "."
                    + base64Url(claims.getBytes(StandardCharsets.UTF_8));
            Signature signature = Signature.getInstance("SHA256withECDSAinP1363Format");
            signature.initSign(key);
            signature.update(signed.getBytes(StandardCharsets.US_ASCII));
            String token = signed + "." + base64Url(signature.sign());
            byte[] body = ("{\"token\":\"" + token + "\",\"expires_in\":300}").getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
        } catch (java.security.GeneralSecurityException e) {
            throw new IOException(e);
        }
    }

    private static Map<String, String> query(URI uri) {
        Map<String, String> parameters = new HashMap<>();
        if (uri.getRawQuery() != null) {
            for (String pair : uri.getRawQuery().split("&")) {
                int equals = pair.indexOf('=');
                if (equals > 0) {
                    parameters.put(URLDecoder.decode(pair.substring(0, equals), StandardCharsets.UTF_8),
                            URLDecoder.decode(pair.substring(equals + 1), StandardCharsets.UTF_8));
                }
            }
        }
        return parameters;
    }

    private static String base64Url(byte[] bytes) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    /** libtrust's key ID: base32 of the first 240 bits of SHA-256(SubjectPublicKeyInfo), in groups of four. */
    private static String libtrustKeyId(byte[] subjectPublicKeyInfo) throws java.security.GeneralSecurityException {
        byte[] digest = java.security.MessageDigest.getInstance("SHA-256").digest(subjectPublicKeyInfo);
        String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
        StringBuilder base32 = new StringBuilder();
        int buffer = 0;
        int bits = 0;
        for (int i = 0; i < 30; i++) {
            buffer = (buffer << 8) | (digest[i] & 0xff);
            bits += 8;
            while (bits >= 5) {
                base32.append(alphabet.charAt((buffer >> (bits - 5)) & 31));
                bits -= 5;
            }
        }
        StringBuilder grouped = new StringBuilder();
        for (int i = 0; i < base32.length(); i += 4) {
            grouped.append(i == 0 ? "" : ":").append(base32, i, i + 4);
        }
        return grouped.toString();
    }
}
