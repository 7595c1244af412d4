package org.kmodpack.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;

/**
 * Runs the scripts users run: the launcher (fuse-mount/system/kmodpack, as installed in /usr/local/bin) and the
 * mount(8) helper, on this build's classes (the jar is not built yet when the tests run).
 */
final class Launcher {
    static final Path CHECKOUT = Path.of("").toAbsolutePath().getParent();
    static final Path SYSTEM = CHECKOUT.resolve("fuse-mount/system");

    private Launcher() {
    }

    /** {@code kmodpack ARGS...} through the launcher. */
    static CliTest.Run kmodpack(String... args) throws IOException, InterruptedException {
        return script("kmodpack", Map.of(), args);
    }

    /** A script of fuse-mount/system with this build's classes, no class data archive, and extra environment. */
    static CliTest.Run script(String name, Map<String, String> environment, String... args)
            throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(SYSTEM.resolve(name).toString()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().put("KMODPACK_CLASSPATH", classPath());
        builder.environment().put("KMODPACK_CDS_ARCHIVE", "");
        // The mount helper finds the launcher on PATH, as mount(8) would find the installed one.
        builder.environment().put("PATH", SYSTEM + ":" + System.getenv("PATH"));
        builder.environment().putAll(environment);
        Process process = builder.start();
        process.getOutputStream().close();
        CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> drain(process.getErrorStream()));
        String out = drain(process.getInputStream());
        if (!process.waitFor(120, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IOException(command + " did not finish within 120 s");
        }
        return new CliTest.Run(process.exitValue(), out, err.join(), out.getBytes(StandardCharsets.UTF_8));
    }

    private static String drain(java.io.InputStream stream) {
        try {
            return new String(stream.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** This JVM's class path, expanded from surefire's manifest-only jar (which lives in the host's /tmp). */
    static String classPath() throws IOException {
        List<String> entries = new ArrayList<>();
        for (String entry : System.getProperty("java.class.path").split(":")) {
            if (entry.contains("surefirebooter") && entry.endsWith(".jar")) {
                try (JarFile jar = new JarFile(entry)) {
                    for (String url : jar.getManifest().getMainAttributes().getValue("Class-Path").split(" ")) {
                        if (!url.isBlank()) {
                            entries.add(Path.of(java.net.URI.create(url)).toString());
                        }
                    }
                }
            } else {
                entries.add(Path.of(entry).toAbsolutePath().toString());
            }
        }
        return String.join(":", entries);
    }
}
