package org.kmodpack.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.kmodpack.testkernels.TestData;

/** The system's real kmod (Debian 12: kmod 30), run on the unpacked tree, as the oracle for every comparison. */
final class KmodOracle {
    record Result(int exit, String out, String err, byte[] stdout) {
    }

    private KmodOracle() {
    }

    static Result run(List<String> command) throws IOException {
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

    /** Runs both and asserts equal stdout (bytes, for modinfo), stderr and exit code. */
    static void compare(List<String> kmod, List<String> ours) throws IOException {
        Result expected = run(kmod);
        CliTest.Run actual = CliTest.run(ours.toArray(String[]::new));
        String what = String.join(" ", kmod.subList(0, Math.min(kmod.size(), 12))) + " ...";
        if (kmod.get(0).equals("modinfo")) {
            // modinfo writes field values as raw bytes; compare bytes so that no encoding can hide a difference.
            assertEquals(expected.out(), new String(actual.stdout(), StandardCharsets.UTF_8), "stdout of " + what);
            assertTrue(java.util.Arrays.equals(expected.stdout(), actual.stdout()), "stdout bytes of " + what);
        } else {
            assertEquals(expected.out(), actual.out(), "stdout of " + what);
        }
        assertEquals(expected.err(), actual.err(), "stderr of " + what);
        assertEquals(expected.exit(), actual.exit(), "exit code of " + what);
    }

    /** Compares the commands with the arguments appended a chunk at a time: kmod stops at some errors. */
    static void compareChunks(List<String> kmod, List<String> ours, List<String> arguments, int chunkSize)
            throws IOException {
        for (int from = 0; from < arguments.size(); from += chunkSize) {
            List<String> chunk = arguments.subList(from, Math.min(arguments.size(), from + chunkSize));
            compare(concat(kmod, chunk), concat(ours, chunk));
        }
    }

    @SafeVarargs
    static List<String> concat(List<String>... parts) {
        List<String> all = new ArrayList<>();
        for (List<String> part : parts) {
            all.addAll(part);
        }
        return all;
    }
}
