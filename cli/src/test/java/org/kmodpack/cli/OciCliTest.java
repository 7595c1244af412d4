package org.kmodpack.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.bouncycastle.crypto.generators.OpenBSDBCrypt;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.kmodpack.fuse.MountTable;
import org.kmodpack.fuse.Unmount;
import org.kmodpack.oci.Credentials;
import org.kmodpack.oci.OciReference;
import org.kmodpack.oci.Registry;
import org.kmodpack.reader.Bundle;
import org.kmodpack.reader.Entry;
import org.kmodpack.reader.RemoteOptions;
import org.kmodpack.testkernels.DistributionRegistry;
import org.kmodpack.testkernels.RegistryTokenService;
import org.kmodpack.testkernels.SyntheticKernel;

/**
 * Bundles in an OCI registry: Debian's docker-registry on 127.0.0.1, open, behind basic auth and behind a token
 * service (bearer tokens). Pushed with
 * kmodpack push, then read, verified, pulled and mounted by reference as from a file.
 */
class OciCliTest {
    @TempDir
    static Path work;
    static BasicBundle basic;
    @AutoClose
    static DistributionRegistry open;
    static String reference;

    @BeforeAll
    static void pushToAnOpenRegistry() throws IOException {
        basic = BasicBundle.packSigned(work.resolve("basic.kpack"), work.resolve("release"));
        open = DistributionRegistry.start(work.resolve("open-registry"), new DistributionRegistry.Open());
        reference = "oci://" + open.address() + "/kernels/basic:" + SyntheticKernel.BASIC.kernelVersion();
        CliTest.Run push = CliTest.run("push", basic.bundle().toString(), reference);
        assertEquals(0, push.exit(), push.err());
        assertTrue(push.out().startsWith(basic.bundle() + ": pushed to " + reference + " (manifest sha256:"),
                push.out());
    }

    @Test
    void theManifestNamesTheBundleBlobAndCarriesKernelVersionAndStatementDigest() throws Exception {
        JsonObject manifest = manifest(open.address(), "kernels/basic", SyntheticKernel.BASIC.kernelVersion());
        assertEquals("application/vnd.kmodpack.bundle.v1", manifest.get("artifactType").getAsString());
        JsonObject layer = manifest.getAsJsonArray("layers").get(0).getAsJsonObject();
        assertEquals("application/vnd.kmodpack.bundle.v1", layer.get("mediaType").getAsString());
        assertEquals(Files.size(basic.bundle()), layer.get("size").getAsLong());
        JsonObject annotations = manifest.getAsJsonObject("annotations");
        assertEquals(SyntheticKernel.BASIC.kernelVersion(),
                annotations.get("org.kmodpack.kernel.version").getAsString());
        try (Bundle opened = Bundle.open(basic.bundle())) {
            assertEquals(HexFormat.of().formatHex(opened.statementSha256().orElseThrow()),
                    annotations.get("org.kmodpack.statement.sha256").getAsString());
        }
    }

    @Test
    void readingCommandsTakeTheReferenceAndAnswerAsForTheFile() {
        Path cache = work.resolve("cache-read");
        CliTest.Run verify = CliTest.run("verify", reference, "--trust", basic.publicKey(), "--cache-dir",
                cache.toString());
        assertEquals(0, verify.exit(), verify.err());
        assertTrue(verify.out().contains("every byte matches what they signed"), verify.out());
        for (String[] command : new String[][] {{"cat", "BUNDLE", "modules.dep"},
            {"modprobe", "BUNDLE", "-D", "-a", "chain_a", "diamond_top"}, {"ls", "BUNDLE", "kernel"}}) {
            String[] remote = command.clone();
            String[] local = command.clone();
            remote[1] = reference;
            local[1] = basic.bundle().toString();
            CliTest.Run fromRegistry = CliTest.run(append(remote, "--cache-dir", cache.toString()));
            CliTest.Run fromFile = CliTest.run(local);
            assertEquals(0, fromRegistry.exit(), fromRegistry.err());
            assertArrayEquals(fromFile.stdout(), fromRegistry.stdout(), String.join(" ", command));
            assertEquals(fromFile.out(), fromRegistry.out(), String.join(" ", command));
        }
    }

    @Test
    void pullByTagAndByDigestWritesTheBundleAndVerifiesIt() throws Exception {
        Path byTag = work.resolve("by-tag.kpack");
        CliTest.Run pull = CliTest.run("pull", reference, "-o", byTag.toString(), "--trust", basic.publicKey());
        assertEquals(0, pull.exit(), pull.err());
        assertTrue(pull.out().contains("every block matches its SHA-256, signatures trusted"), pull.out());
        assertArrayEquals(Files.readAllBytes(basic.bundle()), Files.readAllBytes(byTag));

        String digest = manifestDigest(open.address(), "kernels/basic", SyntheticKernel.BASIC.kernelVersion());
        Path byDigest = work.resolve("by-digest.kpack");
        CliTest.Run pinned = CliTest.run("pull", "oci://" + open.address() + "/kernels/basic@" + digest, "-o",
                byDigest.toString());
        assertEquals(0, pinned.exit(), pinned.err());
        assertArrayEquals(Files.readAllBytes(basic.bundle()), Files.readAllBytes(byDigest));

        CliTest.Run missing = CliTest.run("pull", "oci://" + open.address() + "/kernels/basic:no-such-tag", "-o",
                work.resolve("missing.kpack").toString());
        assertEquals(1, missing.exit());
        assertEquals(1, missing.err().lines().count(), missing.err());
        assertTrue(missing.err().startsWith("kmodpack: oci://" + open.address() + "/kernels/basic:no-such-tag: "
                + "fetching the manifest: HTTP 404"), missing.err());
        assertTrue(Files.notExists(work.resolve("missing.kpack")));
    }

    @Test
    void mountServesTheTreeOfTheReference() throws Exception {
        MountPoints.requireFuse();
        Path mountPoint = Files.createDirectories(work.resolve("mnt"));
        CliTest.Run mount = Launcher.kmodpack("mount", reference, mountPoint.toString(), "--trust", basic.publicKey(),
                "--cache-dir", work.resolve("cache-mount").toString(), "--log", work.resolve("mount.log").toString());
        assertEquals(0, mount.exit(), mount.err());
        try {
            assertEquals(reference, MountTable.at(mountPoint).orElseThrow().source());
            ProcessBuilder diff = new ProcessBuilder("diff", "-r", "--no-dereference", basic.tree().toString(),
                    mountPoint.toString()).redirectErrorStream(true);
            Process process = diff.start();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertEquals(0, process.waitFor(), output);
        } finally {
            Unmount.unmount(mountPoint);
        }
    }

    @Test
    void basicAuthTakesCredentialsFromStdinOrTheAuthFileAndRefusesWithoutThem() throws Exception {
        String hash = OpenBSDBCrypt.generate("2a", "s3cret".toCharArray(), new SecureRandom().generateSeed(16), 6);
        Path registryWork = work.resolve("basic-registry");
        try (DistributionRegistry guarded = DistributionRegistry.start(registryWork,
                new DistributionRegistry.Htpasswd("builder:" + hash + "\n"))) {
            String target = "oci://" + guarded.address() + "/kernels/basic:v1";
            CliTest.Run anonymous = CliTest.run("push", basic.bundle().toString(), target);
            assertEquals(1, anonymous.exit());
            assertEquals(1, anonymous.err().lines().count(), anonymous.err());
            assertTrue(anonymous.err().contains("requires credentials: give --username USER --password-stdin"),
                    anonymous.err());

            CliTest.Run wrong = pushAsBuilder(target, "wrong");
            assertEquals(1, wrong.exit());
            assertTrue(wrong.err().contains("refused the credentials of builder"), wrong.err());

            CliTest.Run push = pushAsBuilder(target, "s3cret");
            assertEquals(0, push.exit(), push.err());

            Path authFile = registryWork.resolve("auth.json");
            Files.writeString(authFile, "{\"auths\":{\"" + guarded.address() + "\":{\"auth\":\""
                    + Base64.getEncoder().encodeToString("builder:s3cret".getBytes(StandardCharsets.UTF_8))
                    + "\"}}}");
            CliTest.Run verify = Launcher.script("kmodpack", Map.of("REGISTRY_AUTH_FILE", authFile.toString()),
                    "verify", target, "--trust", basic.publicKey(), "--cache-dir",
                    work.resolve("cache-auth").toString());
            assertEquals(0, verify.exit(), verify.err());
        }
    }

    @Test
    void tokenAuthGetsAScopedTokenFromTheTokenServiceForPushAndForRangeReads() throws Exception {
        try (TokenRegistry both = TokenRegistry.start("token")) {
            RegistryTokenService tokens = both.tokens();
            String target = both.reference();
            CliTest.Run anonymous = CliTest.run("info", target, "--cache-dir", work.resolve("cache-token").toString());
            assertEquals(1, anonymous.exit());
            assertEquals(1, anonymous.err().lines().count(), anonymous.err());
            assertTrue(anonymous.err().contains("requires credentials"), anonymous.err());

            CliTest.Run push = pushAsBuilder(target, "s3cret");
            assertEquals(0, push.exit(), push.err());
            // The registry names the actions in either order.
            assertTrue(tokens.scopes().stream().anyMatch(scope -> scope.startsWith("repository:kernels/basic:")
                    && List.of(scope.substring(scope.lastIndexOf(':') + 1).split(",")).containsAll(
                            List.of("pull", "push"))), tokens.scopes().toString());

            CliTest.Run verify = withStdin("s3cret\n", () -> CliTest.run("verify", target, "--trust", basic.publicKey(),
                    "--username", "builder", "--password-stdin", "--cache-dir", work.resolve("cache-token").toString()));
            assertEquals(0, verify.exit(), verify.err());
            assertTrue(verify.out().contains("every byte matches what they signed"), verify.out());
        }
    }

    @Test
    void aReaderThatOutlivesItsTokenGetsANewOne() throws Exception {
        try (TokenRegistry both = TokenRegistry.start("renewing")) {
            RegistryTokenService tokens = both.tokens();
            CliTest.Run push = pushAsBuilder(both.reference(), "s3cret");
            assertEquals(0, push.exit(), push.err());
            Registry registry = new Registry(OciReference.parse(both.reference()), RemoteOptions.DEFAULT, false,
                    Optional.of(new Credentials("builder", "s3cret")));
            try (Bundle remote = Bundle.open(registry.openBundle(), Bundle.DEFAULT_CACHE_BYTES)) {
                assertArrayEquals(Files.readAllBytes(basic.tree().resolve("modules.dep")),
                        remote.readAllBytes(remote.get("modules.dep")));
                int tokensBefore = tokens.scopes().size();
                // The registry now trusts only the new key: the token the reader holds fails as an expired one.
                tokens.rotateKey();
                both.registry().restart();
                Entry first = remote.entries().stream().filter(e -> e.isFile() && e.path().startsWith("kernel/"))
                        .findFirst().orElseThrow();
                assertArrayEquals(Files.readAllBytes(basic.tree().resolve(first.path())), remote.readAllBytes(first));
                assertEquals(tokensBefore + 1, tokens.scopes().size(), tokens.scopes().toString());
            }
        }
    }

    /** docker-registry behind a token service that knows builder:s3cret. */
    private record TokenRegistry(RegistryTokenService tokens, DistributionRegistry registry) implements AutoCloseable {
        static TokenRegistry start(String name) throws IOException {
            RegistryTokenService tokens = RegistryTokenService.start(work.resolve(name + "-service"), "builder",
                    "s3cret");
            try {
                return new TokenRegistry(tokens, DistributionRegistry.start(work.resolve(name + "-registry"),
                        new DistributionRegistry.Token(tokens.realm(), RegistryTokenService.SERVICE,
                                RegistryTokenService.ISSUER, tokens.rootCertificate())));
            } catch (IOException | RuntimeException e) {
                tokens.close();
                throw e;
            }
        }

        /** Where the tests push the basic bundle. */
        String reference() {
            return "oci://" + registry.address() + "/kernels/basic:v1";
        }

        @Override
        public void close() throws IOException {
            try (tokens; registry) {
                // Closed in reverse order: the registry, then the token service it relies on.
            }
        }
    }

    /** kmodpack push of the basic bundle to {@code target}, as builder with {@code password} on standard input. */
    private static CliTest.Run pushAsBuilder(String target, String password) {
        return withStdin(password + "\n", () -> CliTest.run("push", basic.bundle().toString(), target,
                "--username", "builder", "--password-stdin"));
    }

    interface Call {
        CliTest.Run run();
    }

    private static CliTest.Run withStdin(String input, Call call) {
        InputStream original = System.in;
        System.setIn(new ByteArrayInputStream(input.getBytes(StandardCharsets.UTF_8)));
        try {
            return call.run();
        } finally {
            System.setIn(original);
        }
    }

    private static String[] append(String[] command, String... more) {
        String[] all = java.util.Arrays.copyOf(command, command.length + more.length);
        System.arraycopy(more, 0, all, command.length, more.length);
        return all;
    }

    private static HttpResponse<byte[]> getManifest(String registry, String repository, String tag) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://" + registry + "/v2/"
                        + repository + "/manifests/" + tag))
                .header("Accept", "application/vnd.oci.image.manifest.v1+json").build(),
                HttpResponse.BodyHandlers.ofByteArray());
    }

    private static JsonObject manifest(String registry, String repository, String tag) throws Exception {
        HttpResponse<byte[]> response = getManifest(registry, repository, tag);
        assertEquals(200, response.statusCode());
        return JsonParser.parseString(new String(response.body(), StandardCharsets.UTF_8)).getAsJsonObject();
    }

    private static String manifestDigest(String registry, String repository, String tag) throws Exception {
        return getManifest(registry, repository, tag).headers().firstValue("Docker-Content-Digest").orElseThrow();
    }
}
