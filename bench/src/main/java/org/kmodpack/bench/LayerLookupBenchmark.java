package org.kmodpack.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.kmodpack.modules.ModprobeConfig;
import org.kmodpack.modules.Modprobe;
import org.kmodpack.modules.ModuleIndex;
import org.kmodpack.reader.Bundle;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.infra.Blackhole;

/**
 * {@code modprobe -D -a} of every module in one process, from the index up: over a base bundle alone, or over the
 * base merged with one layer at lookup time ({@link ModuleIndex#layered}, made again in each operation as each
 * modprobe run makes it). {@link LayerRows} packs the bundles once and runs the two in turn.
 */
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class LayerLookupBenchmark extends CorpusBenchmark {
    /** The base bundle file. */
    @Param("")
    public String base;
    /** The layer bundle file, or "" for the base alone. */
    @Param("")
    public String layer;

    private Bundle baseBundle;
    private Bundle layerBundle;
    private List<String> names;

    @Setup(Level.Trial)
    public void open() throws IOException {
        baseBundle = Bundle.open(Path.of(base));
        layerBundle = layer.isEmpty() ? null : Bundle.open(Path.of(layer));
        names = index().moduleNames();
    }

    @TearDown(Level.Trial)
    public void close() throws IOException {
        baseBundle.close();
        if (layerBundle != null) {
            layerBundle.close();
        }
    }

    private ModuleIndex index() throws IOException {
        return layerBundle == null ? ModuleIndex.of(baseBundle) : ModuleIndex.layered(baseBundle,
                List.of(layerBundle)).orElseThrow(() -> new IllegalStateException(layer + " over " + base
                + " is not merged at lookup time"));
    }

    /** The index (merged, with a layer), no configuration but the bundle's softdeps, then every module. */
    @Benchmark
    public void showDependsOfEveryModule(Blackhole sink) throws IOException {
        ModuleIndex index = index();
        String moduleDir = index.moduleDirectory("");
        ModprobeConfig config = index.loadConfig(List.of(), moduleDir, null, message -> { });
        Modprobe modprobe = index.modprobe(config, moduleDir, message -> { });
        for (String name : names) {
            sink.consume(modprobe.showDepends(name, null, false));
        }
    }
}
