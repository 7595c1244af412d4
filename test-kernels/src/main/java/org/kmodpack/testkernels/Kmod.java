package org.kmodpack.testkernels;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The system's real kmod tools (Debian 12: kmod 30), run in the C locale without MODPROBE_OPTIONS: the oracle
 * the other modules' tests compare with. A missing tool is missing test data ({@link TestData#unavailable}).
 */
public final class Kmod {
    /** What a tool did: exit status, stdout and stderr as text, and stdout as the bytes it wrote. */
    public record Result(int exit, String out, String err, byte[] stdout) {
    }

    private Kmod() {
    }

    public static Result run(List<String> command) throws IOException {
        String tool = command.get(0);
        Path executable = find(tool);
        List<String> full = new ArrayList<>(command);
        full.set(0, executable.toString());
        ProcessBuilder builder = new ProcessBuilder(full);
        builder.environment().put("LC_ALL", "C");
        builder.environment().remove("MODPROBE_OPTIONS");
        Process process = builder.start();
        process.getOutputStream().close();
        CompletableFuture<byte[]> err = CompletableFuture.supplyAsync(() -> readAll(process.getErrorStream()));
        byte[] out = process.getInputStream().readAllBytes();
        try {
            int exit = process.waitFor();
            return new Result(exit, new String(out, StandardCharsets.UTF_8),
                    new String(err.join(), StandardCharsets.UTF_8), out);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted waiting for " + tool, e);
        }
    }

    private static byte[] readAll(java.io.InputStream in) {
        try {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static Path find(String tool) {
        for (String dir : (System.getenv("PATH") + ":/usr/sbin:/sbin:/usr/bin:/bin").split(":")) {
            Path candidate = Path.of(dir.isEmpty() ? "." : dir, tool);
            if (Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        TestData.unavailable(tool + " not found: apt-get install kmod");
        throw new IllegalStateException("unreachable");
    }
}
