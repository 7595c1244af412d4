package org.kmodpack.bench;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.kmodpack.packer.KeyGenerator;
import org.kmodpack.packer.PackOptions;
import org.kmodpack.packer.PackProgress;
import org.kmodpack.packer.Packer;
import org.kmodpack.packer.SigningKey;
import org.kmodpack.packer.StatementTerms;
import org.kmodpack.reader.Bundle;
import org.kmodpack.reader.TrustPolicy;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Verifying a signed bundle of a real Debian tree inside a running JVM, as {@code kmodpack verify} does minus
 * JVM start: {@code Bundle.open(path, policy)} (the signature over the statement, the index hash) then
 * {@code verifyBlockHashes()} (every block's SHA-256). Measured in the same run on the same file in the page
 * cache: {@code sha256sum} and {@code openssl dgst -sha256} of it, process start included, as a user pays it.
 * Each benchmark counts the bundle's bytes per operation, so the "bytes" line of each is its bytes per second.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 10, time = 2)
public class VerifyBenchmark extends CorpusBenchmark {
    private Path work;
    private Path file;
    private TrustPolicy policy;
    private long size;

    /** Bytes verified or hashed: JMH reports this counter per second next to each benchmark's operations. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Bytes {
        public long bytes;
    }

    @Setup(Level.Trial)
    public void packAndSign() throws IOException {
        Path tree = Corpus.moduleDir(flavour);
        work = Files.createTempDirectory("kmodpack-bench");
        KeyGenerator.KeyFiles key = KeyGenerator.generate(work.resolve("bench"));
        file = work.resolve("tree.kpack");
        Packer.pack(tree, file, PackOptions.defaults(), List.of(SigningKey.load(key.privateKey(), null)),
                StatementTerms.defaults(), PackProgress.NONE);
        policy = TrustPolicy.trusting(List.of(key.publicKey()));
        size = Files.size(file);
        try (InputStream in = Files.newInputStream(file)) {
            in.transferTo(java.io.OutputStream.nullOutputStream()); // every run reads from the page cache
        }
    }

    @TearDown(Level.Trial)
    public void delete() throws IOException {
        PackedCorpus.deleteTree(work);
    }

    @Benchmark
    public void kmodpackVerify(Bytes counter) throws IOException {
        try (Bundle bundle = Bundle.open(file, policy)) {
            bundle.verifyBlockHashes();
        }
        counter.bytes += size;
    }

    @Benchmark
    public int sha256sum(Bytes counter) throws IOException, InterruptedException {
        int exit = run("sha256sum", file.toString());
        counter.bytes += size;
        return exit;
    }

    @Benchmark
    public int opensslDgstSha256(Bytes counter) throws IOException, InterruptedException {
        int exit = run("openssl", "dgst", "-sha256", file.toString());
        counter.bytes += size;
        return exit;
    }

    private static int run(String... command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        int exit = process.waitFor();
        if (exit != 0) {
            throw new IOException(String.join(" ", command) + " exited with " + exit);
        }
        return exit;
    }
}
