package org.kmodpack.oci;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Credentials found where docker, podman and oras keep them. */
class CredentialsTest {
    @TempDir
    Path home;

    @Test
    void theDockerConfigOfTheHomeDirectoryGivesTheRegistrysAuth() throws IOException {
        write(home.resolve(".docker/config.json"), "{\"auths\":{\"https://r.example:5000\":{\"auth\":\""
                + base64("builder:pa:ss") + "\"},\"other.example\":{\"auth\":\"" + base64("x:y") + "\"}}}");
        assertEquals(Optional.of(new Credentials("builder", "pa:ss")),
                Credentials.stored("r.example:5000", Map.of(), home));
        assertEquals(Optional.empty(), Credentials.stored("unknown.example", Map.of(), home));
    }

    @Test
    void registryAuthFileAndDockerConfigOverrideTheHomeDirectory() throws IOException {
        Path podman = home.resolve("auth.json");
        write(podman, "{\"auths\":{\"r.example\":{\"username\":\"u\",\"password\":\"p\"}}}");
        assertEquals(Optional.of(new Credentials("u", "p")),
                Credentials.stored("r.example", Map.of("REGISTRY_AUTH_FILE", podman.toString()), home));
        Path docker = home.resolve("docker-dir");
        write(docker.resolve("config.json"), "{\"auths\":{\"r.example\":{\"auth\":\"" + base64("d:q") + "\"}}}");
        assertEquals(Optional.of(new Credentials("d", "q")),
                Credentials.stored("r.example", Map.of("DOCKER_CONFIG", docker.toString()), home));
    }

    @Test
    void anEntryWithoutAPasswordOrAFileThatIsNotJsonIsAnError() throws IOException {
        write(home.resolve(".docker/config.json"), "{\"auths\":{\"r.example\":{}}}");
        assertTrue(assertThrows(IOException.class, () -> Credentials.stored("r.example", Map.of(), home))
                .getMessage().contains("--username and --password-stdin"));
        write(home.resolve(".docker/config.json"), "not json [");
        assertTrue(assertThrows(IOException.class, () -> Credentials.stored("r.example", Map.of(), home))
                .getMessage().contains("not a registry credentials file"));
    }

    @Test
    void thePasswordIsNeverPrinted() {
        assertEquals("Credentials[builder]", new Credentials("builder", "secret").toString());
    }

    private static String base64(String text) {
        return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }

    private static void write(Path file, String text) throws IOException {
        Files.createDirectories(file.getParent());
        Files.writeString(file, text);
    }
}
