package org.kmodpack.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.kmodpack.modules.ModuleIndex;
import org.kmodpack.packer.PackOptions;
import org.kmodpack.packer.PackProgress;
import org.kmodpack.packer.Packer;
import org.kmodpack.reader.Bundle;
import org.kmodpack.testkernels.DebianKernels;
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
    @Param("amd64")
    public String flavour;

    private Path work;
    private Path file;

    @Setup(Level.Trial)
    public void pack() throws IOException {
        Path tree = DebianKernels.moduleDir(flavour);
        work = Files.createTempDirectory("kmodpack-bench");
        file = work.resolve("tree.kpack");
        Packer.pack(tree, file, PackOptions.defaults(), PackProgress.NONE);
    }

    @TearDown(Level.Trial)
    public void close() throws IOException {
        Files.deleteIfExists(file);
        Files.deleteIfExists(work);
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
