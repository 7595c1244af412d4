package org.kmodpack.bench;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.kmodpack.reader.Bundle;
import org.kmodpack.reader.Entry;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.TearDown;

/**
 * One 4 KiB read from a file of an open bundle (the page cache holds the bundle file): through a block cache of
 * one block, reading files in turn from the two halves of the bundle, so that nearly every read reads, checks
 * (SHA-256) and decompresses a block; and the same read again from a block already in the default cache.
 */
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class BlockReadBenchmark extends CorpusBenchmark {
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
