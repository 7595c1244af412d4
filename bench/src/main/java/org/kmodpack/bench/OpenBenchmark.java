package org.kmodpack.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.kmodpack.modules.ModuleIndex;
import org.kmodpack.reader.Bundle;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.TearDown;

/**
 * What the module index costs a reader that opens a bundle: open (header, index read and SHA-256 checked,
 * validated) and open plus the first lookup (the MODULES section decoded and validated on first use).
 */
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class OpenBenchmark extends CorpusBenchmark {
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
