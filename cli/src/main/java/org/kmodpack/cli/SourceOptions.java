package org.kmodpack.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.kmodpack.oci.Credentials;
import org.kmodpack.oci.OciReference;
import org.kmodpack.oci.Registry;
import org.kmodpack.reader.Bundle;
import org.kmodpack.reader.ByteSource;
import org.kmodpack.reader.RemoteOptions;
import org.kmodpack.reader.TrustPolicy;
import picocli.CommandLine.Option;

/**
 * Where every command that reads a bundle gets it from: a file, an http:// or https:// URL, or an OCI artifact
 * (oci://REGISTRY/REPOSITORY:TAG), the last two read by Range requests, block by block, each block checked
 * against the bundle's signed hashes as it arrives. The one place the CLI turns a BUNDLE argument into a bundle.
 */
final class SourceOptions {
    /** What BUNDLE is, for every command that reads one. */
    static final String BUNDLE = "The bundle: a file, an http:// or https:// URL, or oci://REGISTRY/REPOSITORY:TAG.";

    static final int DEFAULT_TIMEOUT_SECONDS = 30;

    @Option(names = "--ca", paramLabel = "FILE",
            description = "For an https:// bundle: also trust the certificate authority (PEM or DER) in FILE.")
    Path ca;

    @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "" + DEFAULT_TIMEOUT_SECONDS,
            description = "For a remote bundle: fail a read that has not completed after SECONDS, retries "
                    + "included (default ${DEFAULT-VALUE}).")
    int timeoutSeconds = DEFAULT_TIMEOUT_SECONDS;

    @Option(names = "--cache-dir", paramLabel = "DIR",
            description = "For a remote bundle: keep fetched blocks in DIR, shared by every bundle and checked again "
                    + "when read; with --layer, the union built whole there (default $KMODPACK_CACHE_DIR, else "
                    + "/var/cache/kmodpack, or ~/.cache/kmodpack where that is not writable).")
    Path cacheDirectory;

    @Option(names = "--cache-limit", paramLabel = "SIZE", defaultValue = DEFAULT_CACHE_LIMIT,
            description = "Bound of the --cache-dir blocks; the least recently used go first (default "
                    + "${DEFAULT-VALUE}).")
    String cacheLimit = DEFAULT_CACHE_LIMIT;

    static final String DEFAULT_CACHE_LIMIT = "1G";

    @Option(names = "--plain-http",
            description = "For an oci:// bundle: speak plain HTTP to the registry (the default on loopback only).")
    boolean plainHttp;

    @Option(names = "--username", paramLabel = "USER",
            description = "For an oci:// bundle: log in to the registry as USER, with the password read from "
                    + "standard input (--password-stdin). Default: the credentials of ~/.docker/config.json or "
                    + "$REGISTRY_AUTH_FILE for the registry.")
    String username;

    @Option(names = "--password-stdin", description = "Read the --username's password from standard input.")
    boolean passwordStdin;

    private Optional<Credentials> credentials;

    RemoteOptions remote() {
        if (timeoutSeconds <= 0) {
            throw new IllegalArgumentException("--timeout must be a positive number of seconds, not "
                    + timeoutSeconds);
        }
        long limit = Sizes.parseLong(cacheLimit);
        if (limit <= 0) {
            throw new IllegalArgumentException("--cache-limit must be positive, not " + cacheLimit);
        }
        return new RemoteOptions(Optional.ofNullable(ca), Duration.ofSeconds(timeoutSeconds),
                RemoteOptions.DEFAULT.retries(),
                Optional.of(cacheDirectoryOrDefault()), limit);
    }

    /** --cache-dir, or the default cache directory. */
    Path cacheDirectoryOrDefault() {
        return cacheDirectory != null ? cacheDirectory : defaultCacheDirectory();
    }

    /**
     * $KMODPACK_CACHE_DIR if set (an image or a test run keeps the cache where it wants it); else the system's
     * cache where this user may write it, else the user's own.
     */
    static Path defaultCacheDirectory() {
        String configured = System.getenv("KMODPACK_CACHE_DIR");
        if (configured != null && !configured.isEmpty()) {
            return Path.of(configured);
        }
        Path system = Path.of("/var/cache/kmodpack");
        if (Files.isWritable(system) || !Files.exists(system) && Files.isWritable(system.getParent())) {
            return system;
        }
        String xdg = System.getenv("XDG_CACHE_HOME");
        Path base = xdg != null && !xdg.isEmpty() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".cache");
        return base.resolve("kmodpack");
    }

    /** Opens for inspection: every block is checked against its hash, signatures are not. */
    Bundle open(String location, long cacheBytes) throws IOException {
        return Bundle.open(source(location), cacheBytes);
    }

    /** Opens only if the signatures satisfy {@code policy}. */
    Bundle open(String location, TrustPolicy policy, long cacheBytes) throws IOException {
        return Bundle.open(source(location), policy, cacheBytes);
    }

    /** The bytes of the bundle {@code location} names: an oci:// artifact, an http(s):// URL, or a file. */
    ByteSource source(String location) throws IOException {
        if (OciReference.isOci(location)) {
            return registry(location).openBundle();
        }
        if (ByteSource.isRemote(location)) {
            return ByteSource.open(location, remote());
        }
        return ByteSource.open(localBundle(location));
    }

    /** A BUNDLE argument that is neither oci:// nor http(s)://, as a file, refused in words if it is none. */
    static Path localBundle(String location) throws IOException {
        if (LocalPaths.isUrl(location)) {
            throw new IOException(location + ": not a URL kmodpack reads; give a file, an http:// or https:// URL, "
                    + "or oci://REGISTRY/REPOSITORY:TAG");
        }
        Path path = Path.of(location);
        if (location.equals("-") && !Files.exists(path)) {
            throw new IOException("-: a bundle is read by position, which standard input cannot be; give the "
                    + "bundle's file name");
        }
        if (Files.isDirectory(path)) {
            throw new IOException(location + ": is a directory, not a bundle; pack it first (kmodpack pack "
                    + location + ")");
        }
        return path;
    }

    /** The registry repository of an oci:// reference, with these options' credentials. */
    Registry registry(String location) throws IOException {
        OciReference reference = OciReference.parse(location);
        return new Registry(reference, remote(), plainHttp, credentials(reference));
    }

    private Optional<Credentials> credentials(OciReference reference) throws IOException {
        if (credentials == null) {
            if (passwordStdin != (username != null)) {
                throw new IllegalArgumentException("--username and --password-stdin go together: "
                        + "echo \"$PASSWORD\" | kmodpack ... --username USER --password-stdin");
            }
            if (username != null) {
                String password = new java.io.BufferedReader(new java.io.InputStreamReader(System.in,
                        java.nio.charset.StandardCharsets.UTF_8)).readLine();
                if (password == null || password.isEmpty()) {
                    throw new IOException("--password-stdin: standard input holds no password");
                }
                credentials = Optional.of(new Credentials(username, password));
            } else {
                credentials = Credentials.stored(reference.registry(), System.getenv(),
                        Path.of(System.getProperty("user.home")));
            }
        }
        return credentials;
    }
}
