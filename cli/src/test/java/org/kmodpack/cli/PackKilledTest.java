package org.kmodpack.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.kmodpack.cli.CliTest.run;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.kmodpack.cli.CliTest.Run;
import org.kmodpack.testkernels.SyntheticKernel;
import org.kmodpack.testkernels.SyntheticKernels;

/**
 * A pack killed with kill -9 leaves its partial bundle under a name that says what it is and whose; the next
 * pack of the same destination removes it, but never the file of a pack that is still running.
 */
class PackKilledTest {
    @TempDir
    Path work;

    @Test
    void theNextPackRemovesWhatAKilledPackLeftButNotWhatARunningOneWrites() throws Exception {
        Path slowTree = Files.createDirectories(work.resolve("slow/lib/modules/6.1.0-slow/kernel"));
        Random random = new Random(18);
        byte[] bytes = new byte[2 << 20];
        for (int i = 0; i < 24; i++) {
            random.nextBytes(bytes);
            Files.write(slowTree.resolve("m" + i + ".ko"), bytes);
        }
        Path output = work.resolve("out.kpack");
        // zstd 19 on one thread over incompressible data: seconds, time enough to be found mid-write.
        Process slow = new ProcessBuilder(List.of(ProcessHandle.current().info().command().orElse("java"), "-cp",
                System.getProperty("java.class.path"), Main.class.getName(), "pack", work.resolve("slow").toString(),
                "-o", output.toString(), "--level", "max", "--threads", "1"))
                .redirectErrorStream(true).redirectOutput(work.resolve("slow.log").toFile()).start();
        try {
            Path staged = awaitStagedFile(slow);
            assertTrue(staged.getFileName().toString().startsWith(".out.kpack.tmp-" + slow.pid() + "-"),
                    "the name says what it is and whose: " + staged);

            Path smallTree = SyntheticKernels.moduleDir(SyntheticKernel.BASIC);
            Run whileRunning = run("pack", smallTree.toString(), "-o", output.toString());
            assertEquals(0, whileRunning.exit(), whileRunning.err());
            assertTrue(Files.exists(staged), "a running pack's file is left alone");

            slow.destroyForcibly();
            assertTrue(slow.waitFor(30, TimeUnit.SECONDS));
            assertEquals(137, slow.exitValue(), "killed by SIGKILL");
            assertTrue(Files.size(staged) > 0, "kill -9 left the partial bundle: " + staged);

            Run next = run("pack", smallTree.toString(), "-o", output.toString());
            assertEquals(0, next.exit(), next.err());
            assertEquals(List.of("out.kpack"), names(), "the next pack of out.kpack removed " + staged);
            assertEquals(0, run("ls", output.toString()).exit(), "the bundle the last pack wrote reads");
        } finally {
            slow.destroyForcibly().waitFor();
        }
    }

    private Path awaitStagedFile(Process pack) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (System.nanoTime() < deadline) {
            assertTrue(pack.isAlive(), () -> "the pack ended before it was killed: " + log());
            try (Stream<Path> files = Files.list(work)) {
                List<Path> staged = files.filter(p -> p.getFileName().toString().startsWith(".out.kpack.tmp-"))
                        .toList();
                if (staged.size() == 1 && Files.size(staged.get(0)) > (4 << 20)) {
                    return staged.get(0);
                }
            }
            Thread.sleep(50);
        }
        throw new AssertionError("no partial bundle appeared: " + log());
    }

    private List<String> names() throws IOException {
        try (Stream<Path> files = Files.list(work)) {
            return files.map(p -> p.getFileName().toString()).filter(n -> n.contains("kpack")).sorted().toList();
        }
    }

    private String log() {
        try {
            return Files.readString(work.resolve("slow.log"));
        } catch (IOException e) {
            return e.toString();
        }
    }
}
