package org.kmodpack.oci;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;

/** A user name and password for a registry, from the command line or where other OCI clients keep them. */
public record Credentials(String username, String password) {
    @Override
    public String toString() {
        return "Credentials[" + username + "]";
    }

    /** The value of an HTTP Basic Authorization header. */
    String basic() {
        return "Basic " + Base64.getEncoder().encodeToString((username + ":" + password)
                .getBytes(StandardCharsets.UTF_8));
    }

    /**
     * The credentials stored for {@code registry} in $REGISTRY_AUTH_FILE if set (podman, skopeo), else in
     * $DOCKER_CONFIG/config.json or ~/.docker/config.json (docker, oras): the "auths" entry for the registry, with
     * or without https://, holding "auth" (base64 of user:password) or "username" and "password".
     */
    public static Optional<Credentials> stored(String registry, Map<String, String> environment, Path home)
            throws IOException {
        Path file;
        if (environment.containsKey("REGISTRY_AUTH_FILE")) {
            file = Path.of(environment.get("REGISTRY_AUTH_FILE"));
        } else if (environment.containsKey("DOCKER_CONFIG")) {
            file = Path.of(environment.get("DOCKER_CONFIG"), "config.json");
        } else {
            file = home.resolve(".docker/config.json");
        }
        if (!Files.exists(file)) {
            return Optional.empty();
        }
        JsonObject auths;
        try {
            JsonElement config = JsonParser.parseString(Files.readString(file));
            auths = config.isJsonObject() && config.getAsJsonObject().has("auths")
                    ? config.getAsJsonObject().getAsJsonObject("auths") : new JsonObject();
        } catch (JsonParseException | IllegalStateException | ClassCastException e) {
            throw new IOException(file + ": not a registry credentials file (JSON with \"auths\"): " + e.getMessage(), e);
        }
        for (String key : new String[] {registry, "https://" + registry, "http://" + registry,
            "https://" + registry + "/v2/", "https://" + registry + "/v1/"}) {
            if (auths.has(key) && auths.get(key).isJsonObject()) {
                return Optional.of(decode(auths.getAsJsonObject(key), file, key));
            }
        }
        return Optional.empty();
    }

    private static Credentials decode(JsonObject entry, Path file, String key) throws IOException {
        if (entry.has("auth")) {
            String pair;
            try {
                pair = new String(Base64.getDecoder().decode(entry.get("auth").getAsString()), StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                throw new IOException(file + ": the auth of " + key + " is not base64", e);
            }
            int colon = pair.indexOf(':');
            if (colon < 0) {
                throw new IOException(file + ": the auth of " + key + " is not base64 of user:password");
            }
            return new Credentials(pair.substring(0, colon), pair.substring(colon + 1));
        }
        if (entry.has("username") && entry.has("password")) {
            return new Credentials(entry.get("username").getAsString(), entry.get("password").getAsString());
        }
        throw new IOException(file + ": the entry of " + key + " has no auth, nor username and password (a "
                + "credential helper's entries are not read): give --username and --password-stdin");
    }
}
