package org.kmodpack.oci;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * {@code oci://REGISTRY/REPOSITORY:TAG} or {@code oci://REGISTRY/REPOSITORY@sha256:HEX}, as other OCI clients name
 * an artifact (the tag defaults to "latest").
 */
public record OciReference(String registry, String repository, Optional<String> tag, Optional<String> digest) {
    public static final String SCHEME = "oci://";
    private static final Pattern REPOSITORY = Pattern.compile("[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*"
            + "(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*");
    private static final Pattern TAG = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}");
    private static final Pattern DIGEST = Pattern.compile("sha256:[0-9a-f]{64}");

    /** Whether {@code location} names an OCI artifact rather than a file or URL. */
    public static boolean isOci(String location) {
        return location.regionMatches(true, 0, SCHEME, 0, SCHEME.length());
    }

    public static OciReference parse(String location) {
        if (!isOci(location)) {
            throw new IllegalArgumentException(location + ": not an OCI reference (oci://REGISTRY/REPOSITORY:TAG)");
        }
        String rest = location.substring(SCHEME.length());
        int slash = rest.indexOf('/');
        if (slash <= 0 || slash == rest.length() - 1) {
            throw new IllegalArgumentException(location + ": name a registry and a repository: "
                    + "oci://REGISTRY/REPOSITORY:TAG");
        }
        String registry = rest.substring(0, slash);
        String path = rest.substring(slash + 1);
        Optional<String> tag = Optional.empty();
        Optional<String> digest = Optional.empty();
        int at = path.indexOf('@');
        if (at >= 0) {
            digest = Optional.of(path.substring(at + 1));
            path = path.substring(0, at);
            if (!DIGEST.matcher(digest.get()).matches()) {
                throw new IllegalArgumentException(location + ": the digest must be sha256: and 64 hex digits");
            }
        } else {
            int colon = path.lastIndexOf(':');
            if (colon > path.lastIndexOf('/')) {
                tag = Optional.of(path.substring(colon + 1));
                path = path.substring(0, colon);
                if (!TAG.matcher(tag.get()).matches()) {
                    throw new IllegalArgumentException(location + ": '" + tag.get() + "' is not a valid tag");
                }
            } else {
                tag = Optional.of("latest");
            }
        }
        if (!REPOSITORY.matcher(path).matches()) {
            throw new IllegalArgumentException(location + ": '" + path + "' is not a valid repository name "
                    + "(lower-case letters, digits, separators . _ - and /)");
        }
        return new OciReference(registry, path, tag, digest);
    }

    /** What the manifest is fetched by: the digest if given, else the tag. */
    public String reference() {
        return digest.orElseGet(tag::orElseThrow);
    }

    /** The registry's host name, without the port. */
    public String host() {
        if (registry.startsWith("[")) {
            return registry.substring(1, registry.indexOf(']'));
        }
        int colon = registry.lastIndexOf(':');
        return colon < 0 ? registry : registry.substring(0, colon);
    }

    /** Whether the registry is on this machine's loopback, where plain HTTP is the custom of OCI clients. */
    public boolean isLoopback() {
        String host = host().toLowerCase(Locale.ROOT);
        if (host.equals("localhost")) {
            return true;
        }
        if (!host.matches("[0-9.]+|[0-9a-f:]+")) {
            return false; // a name would need a lookup; only literal addresses count
        }
        try {
            return InetAddress.getByName(host).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }

    @Override
    public String toString() {
        return SCHEME + registry + "/" + repository + digest.map(d -> "@" + d).orElseGet(() -> ":" + tag.orElseThrow());
    }
}
