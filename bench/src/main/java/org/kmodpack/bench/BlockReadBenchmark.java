package org.kmodpack.bench;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.kmodpack.reader.Bundle;
import org.kmodpack.reader.Entry;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One 4 KiB read from a file of an open bundle (the page cache holds the bundle file): through a block cache of
 * one block, reading files in turn from the two halves of the bundle, so that nearly every read reads, checks
 * (SHA-256) and decompresses a block; and the same read again from a block already in the default cache.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 10, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xmx1g"})
public class BlockReadBenchmark {
    /** A {@link Corpus} name: "amd64" (Debian's generic kernel, about 4000 modules), "cloud", "synthetic" or a path. */
    @Param("amd64")
    public String flavour;

    private PackedCorpus packed;
    private Bundle uncached;
    private Bundle cached;
    private List<Entry> alternating;
    private int next;
    private final ByteBuffer buffer = ByteBuffer.allocate(4096);

    @Setup(Level.Trial)
    public void pack() throws IOException {
        packed = new PackedCorpus(flavour);
        // The cache keeps at least one block: capacity 0 makes every read of another block decompress it.
        uncached = Bundle.open(packed.file, 0);
        cached = Bundle.open(packed.file);
        List<Entry> files = cached.entries().stream().filter(Entry::isFile).toList();
        int half = files.size() / 2;
        alternating = new ArrayList<>(files.size());
        for (int i = 0; i < half; i++) {
            alternating.add(files.get(i));
            alternating.add(files.get(half + i));
        }
        cached.read(files.get(0), 0, buffer);
    }

    @TearDown(Level.Trial)
    public void close() throws IOException {
        uncached.close();
        cached.close();
        packed.close();
    }

    @Benchmark
    public int readDecompressingABlock() throws IOException {
        Entry file = alternating.get(next);
        next = (next + 1) % alternating.size();
        buffer.clear();
        return uncached.read(file, 0, buffer);
    }

    @Benchmark
    public int readFromCachedBlock() throws IOException {
        buffer.clear();
        return cached.read(alternating.get(0), 0, buffer);
    }
}
