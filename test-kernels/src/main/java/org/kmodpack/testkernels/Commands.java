package org.kmodpack.testkernels;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Predicate;

/**
 * Locates and runs the external tools the generators and tests drive (gcc, depmod, compressors, mount, systemctl):
 * output captured, the locale fixed.
 */
public final class Commands {
    /** depmod lives in sbin, which a non-root user's PATH often lacks. */
    private static final List<String> EXTRA_DIRS = List.of("/usr/sbin", "/sbin");

    private Commands() {
    }

    /** The absolute path of {@code program}, or skips/fails the test naming the Debian package to install. */
    static Path require(String program, String debianPackage) {
        Optional<Path> found = find(program);
        if (found.isEmpty()) {
            TestData.unavailable(program + " is not installed; install it with: apt-get install " + debianPackage);
        }
        return found.orElseThrow();
    }

    static Optional<Path> find(String program) {
        List<String> dirs = new ArrayList<>(List.of(System.getenv().getOrDefault("PATH", "").split(":")));
        dirs.addAll(EXTRA_DIRS);
        return dirs.stream()
                .filter(dir -> !dir.isEmpty())
                .map(dir -> Path.of(dir, program))
                .filter(Files::isExecutable)
                .findFirst();
    }

    public static ProcessResult run(Path workDir, List<String> command) throws IOException {
        ProcessBuilder builder = new ProcessBuilder(command).directory(workDir.toFile());
        // Fixed locale: tool messages are parsed and compared in tests.
        builder.environment().put("LC_ALL", "C.UTF-8");
        Process process = builder.start();
        process.getOutputStream().close();
        CompletableFuture<String> stderr = CompletableFuture.supplyAsync(() -> readAll(process.getErrorStream()));
        String stdout = readAll(process.getInputStream());
        try {
            return new ProcessResult(command, process.waitFor(), stdout, stderr.join());
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting for " + String.join(" ", command));
        }
    }

    /**
     * A test-kernels script run with bash, and the path it printed last on stdout (what it made or found; null if
     * it printed nothing). A script that cannot start gives a failed result saying why.
     */
    public record ScriptRun(ProcessResult result, Path made) {
        /**
         * What the script made, when it succeeded and {@code valid} holds for it; otherwise the test is skipped
         * (failed under KMODPACK_REQUIRE_TEST_DATA=1), naming {@code what} and the script's output.
         */
        public Path madeOrUnavailable(Predicate<Path> valid, String what) {
            if (!result.succeeded() || made == null || !valid.test(made)) {
                TestData.unavailable(what + " unavailable: " + result.describe());
            }
            return made;
        }
    }

    public static ScriptRun runScript(Path script, String... arguments) {
        List<String> command = new ArrayList<>(List.of("bash", script.toString()));
        command.addAll(List.of(arguments));
        ProcessResult result;
        try {
            result = run(script.getParent(), command);
        } catch (IOException e) {
            result = new ProcessResult(command, -1, "", "cannot start bash: " + e.getMessage());
        }
        String output = result.stdout().strip();
        return new ScriptRun(result, output.isEmpty() ? null : Path.of(output.substring(output.lastIndexOf('\n') + 1)));
    }

    /** Runs {@code command} and throws, with its stderr, unless it exits 0. */
    public static ProcessResult check(Path workDir, List<String> command) throws IOException {
        ProcessResult result = run(workDir, command);
        if (!result.succeeded()) {
            throw new IOException("in " + workDir + ": " + result.describe());
        }
        return result;
    }

    private static String readAll(InputStream in) {
        try (in) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
