package org.kmodpack.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.kmodpack.modules.ModprobeConfig;
import org.kmodpack.modules.Modprobe;
import org.kmodpack.modules.ModuleIndex;
import org.kmodpack.modules.UnionSymbolCheck;
import org.kmodpack.packer.LayerUnion;
import org.kmodpack.reader.Bundle;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * {@code modprobe -D -a} of every module in one process, as a modprobe run does it: the bundles opened (header and
 * index read, their SHA-256 checked), the index made (with a layer: checked to fit, its modules' symbols checked,
 * and merged at lookup time by {@link ModuleIndex#layered}), then every module's load order; over a base bundle
 * alone or over the base with one layer. {@link LayerRows} packs the bundles once and runs the two in turn.
 */
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class LayerLookupBenchmark extends CorpusBenchmark {
    /** The base bundle file. */
    @Param("")
    public String base;
    /** The layer bundle file, or "" for the base alone. */
    @Param("")
    public String layer;
    /** The cache directory, as --cache-dir: what the merge keeps of the base is read from there. */
    @Param("")
    public String cache;

    private List<String> names;

    @Setup(Level.Trial)
    public void listModules() throws IOException {
        try (Bundle baseBundle = Bundle.open(Path.of(base))) {
            if (layer.isEmpty()) {
                names = ModuleIndex.of(baseBundle).moduleNames();
            } else {
                try (Bundle layerBundle = Bundle.open(Path.of(layer))) {
                    names = merged(baseBundle, layerBundle).moduleNames();
                }
            }
        }
    }

    /**
     * As {@code kmodpack modprobe BASE --layer LAYER} merges: the layer checked to fit the base and, where the base
     * records the kernel's symbols, its modules checked against them, then the indexes merged.
     */
    private ModuleIndex merged(Bundle baseBundle, Bundle layerBundle) throws IOException {
        List<Bundle> layers = List.of(layerBundle);
        LayerUnion union = LayerUnion.of(baseBundle, layers, false);
        Optional<List<UnionSymbolCheck.Unresolved>> unresolved = UnionSymbolCheck.check(baseBundle,
                union.layerFiles(), union.depmodConfig(), Path.of(cache));
        if (unresolved.isPresent() && !unresolved.get().isEmpty()) {
            throw new IllegalStateException(layer + " needs symbols nothing exports: " + unresolved.get());
        }
        return ModuleIndex.layered(baseBundle, layers, Path.of(cache)).orElseThrow(
                () -> new IllegalStateException(layer + " over " + base + " is not merged at lookup time"));
    }

    @Benchmark
    public void showDependsOfEveryModule(Blackhole sink) throws IOException {
        try (Bundle baseBundle = Bundle.open(Path.of(base))) {
            if (layer.isEmpty()) {
                showDepends(ModuleIndex.of(baseBundle), sink);
            } else {
                try (Bundle layerBundle = Bundle.open(Path.of(layer))) {
                    showDepends(merged(baseBundle, layerBundle), sink);
                }
            }
        }
    }

    /** No configuration but the index's softdeps, then every module. */
    private void showDepends(ModuleIndex index, Blackhole sink) {
        String moduleDir = index.moduleDirectory("");
        ModprobeConfig config = index.loadConfig(List.of(), moduleDir, null, message -> { });
        Modprobe modprobe = index.modprobe(config, moduleDir, message -> { });
        for (String name : names) {
            sink.consume(modprobe.showDepends(name, null, false));
        }
    }
}
