package org.kmodpack.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.kmodpack.modules.ModuleIndex;
import org.kmodpack.reader.Bundle;
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
 * What the module index costs a reader that opens a bundle: open (header, index read and SHA-256 checked,
 * validated) and open plus the first lookup (the MODULES section decoded and validated on first use).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 10, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xmx1g"})
public class OpenBenchmark {
    /** A {@link Corpus} name: "amd64" (Debian's generic kernel, about 4000 modules), "cloud", "synthetic" or a path. */
    @Param("amd64")
    public String flavour;

    private PackedCorpus packed;
    private Path file;

    @Setup(Level.Trial)
    public void pack() throws IOException {
        packed = new PackedCorpus(flavour);
        file = packed.file;
    }

    @TearDown(Level.Trial)
    public void close() throws IOException {
        packed.close();
    }

    @Benchmark
    public String open() throws IOException {
        try (Bundle bundle = Bundle.open(file)) {
            return bundle.kernelVersion();
        }
    }

    @Benchmark
    public Object openAndLoadOrderOfOneModule() throws IOException {
        try (Bundle bundle = Bundle.open(file)) {
            ModuleIndex index = ModuleIndex.of(bundle);
            String dir = index.moduleDirectory("");
            return index.modprobe(index.loadConfig(null, dir, m -> { }), dir, m -> { })
                    .showDepends("btrfs", null, false);
        }
    }
}
