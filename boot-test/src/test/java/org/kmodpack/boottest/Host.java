package org.kmodpack.boottest;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/** Commands run on this host: kmodpack from this checkout, the image builder's install, mount, systemctl. */
final class Host {
    /** The reactor root: this module's parent, where the tests run from. */
    static final Path CHECKOUT = Path.of("").toAbsolutePath().getParent();

    private Host() {
    }

    /** What a finished command printed. */
    record Run(List<String> command, int exit, String out, String err) {
        String describe() {
            return String.join(" ", command) + " exited with " + exit + (err.isBlank() ? "" : ": " + err.strip());
        }
    }

    /** The checkout's {@code kmodpack} launcher, as a user runs it (it builds the jar when stale). */
    static Run kmodpack(String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(CHECKOUT.resolve("kmodpack").toString()));
        command.addAll(List.of(args));
        return check(command);
    }

    static Run check(List<String> command) throws IOException {
        Run run = run(command);
        if (run.exit() != 0) {
            throw new IOException(run.describe());
        }
        return run;
    }

    static Run run(List<String> command) throws IOException {
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().put("LC_ALL", "C.UTF-8");
        Process process = builder.start();
        process.getOutputStream().close();
        CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> readAll(process.getErrorStream()));
        String out = readAll(process.getInputStream());
        try {
            return new Run(command, process.waitFor(), out, err.join());
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting for " + String.join(" ", command));
        }
    }

    private static String readAll(java.io.InputStream in) {
        try (in) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
