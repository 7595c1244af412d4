package org.kmodpack.bench;

import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.kmodpack.modules.DepmodOptions;
import org.kmodpack.modules.KernelSymbols;
import org.kmodpack.packer.PackOptions;
import org.kmodpack.packer.PackProgress;
import org.kmodpack.packer.Packer;
import org.kmodpack.packer.StatementTerms;
import org.kmodpack.testkernels.DebianLayerModules;
import org.kmodpack.testkernels.SyntheticLayers;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.results.IterationResult;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * bench/run's layer rows, in process: {@link LayerLookupBenchmark} over the corpus packed as a base alone and
 * with one layer merged at lookup time (Debian's kernels: the out-of-tree modules built against their headers;
 * the synthetic tree: {@link SyntheticLayers#dependents}), the two in turn, round after round, so that both see the
 * same load; each iteration's time per operation goes to the results file. On a shared host the speed of both
 * drifts over tens of seconds, by more than the merge costs, and each fork settles at a speed of its own (forks of
 * the same operation a third apart): many short rounds (three measured seconds each, after five of warm-up, in a
 * fork each) see the same drift where a few long ones do not, and their median is over many forks.
 * Usage: LayerRows CORPUS WORK_DIR RESULTS.tsv [--quick]   (--quick: 4 rounds, not 16)
 */
public final class LayerRows {
    private static final String SECTION = "Layers merged at lookup time (JMH, in turn)";
    private static final String METRIC = "modprobe -D -a, every module";

    private LayerRows() {
    }

    public static void main(String[] args) throws IOException, RunnerException {
        if (args.length < 3 || args.length > 4 || (args.length == 4 && !args[3].equals("--quick"))) {
            System.err.println("usage: LayerRows CORPUS WORK_DIR RESULTS.tsv [--quick]");
            System.exit(2);
        }
        Path tree = Corpus.moduleDir(args[0]);
        String kver = tree.getFileName().toString();
        Path work = Files.createDirectories(Path.of(args[1]));
        Path base = work.resolve("layer-base.kpack");
        Path layer = work.resolve("layer.kpack");
        // Debian's kernels: the base records the kernel's exports from the Module.symvers of the headers the layer
        // is built against (pack --symvers; the package's System.map is a placeholder), so that every merge checks
        // the layer's modules against them (UnionSymbolCheck), as on a host whose base was packed so.
        PackOptions options = PackOptions.defaults();
        Path layerTree;
        if (args[0].equals("synthetic")) {
            layerTree = SyntheticLayers.dependents(work.resolve("layer-tree"));
        } else {
            layerTree = DebianLayerModules.layerDir(kver);
            Path symvers = DebianLayerModules.moduleSymvers(kver);
            options = options.withKernelSymbols(Optional.of(KernelSymbols.fromSymvers(symvers.toString(),
                    Files.readAllBytes(symvers), DepmodOptions.NO_SYMBOL_PREFIX, problem -> {
                        throw new IllegalStateException(symvers + ": " + problem);
                    })));
        }
        Packer.pack(tree, base, options, PackProgress.NONE);
        Packer.packLayer(layerTree, layer, PackOptions.defaults().withKernelVersion(kver), List.of(),
                StatementTerms.defaults(), PackProgress.NONE);
        int rounds = args.length == 4 ? 4 : 16;
        try (Writer out = Files.newBufferedWriter(Path.of(args[2]), StandardCharsets.UTF_8,
                StandardOpenOption.CREATE, StandardOpenOption.APPEND)) {
            for (int round = 0; round < rounds; round++) {
                run(out, base, "", "base alone");
                run(out, base, layer.toString(), "base + one layer");
            }
        }
    }

    private static void run(Writer out, Path base, String layer, String row) throws IOException, RunnerException {
        OptionsBuilder options = new OptionsBuilder();
        options.include("\\.LayerLookupBenchmark\\.showDependsOfEveryModule$").param("base", base.toString())
                .param("layer", layer).param("cache", base.resolveSibling("layer-cache").toString()).forks(1)
                .mode(Mode.AverageTime).timeUnit(TimeUnit.NANOSECONDS)
                .warmupIterations(5).warmupTime(TimeValue.seconds(1)).measurementIterations(3)
                .measurementTime(TimeValue.seconds(1));
        for (RunResult run : new Runner(options.build()).run()) {
            for (IterationResult iteration : run.getBenchmarkResults().iterator().next().getIterationResults()) {
                double seconds = iteration.getPrimaryResult().getScore() * 1e-9;
                out.write(String.join("\t", SECTION, row, METRIC, "s", String.format(Locale.ROOT, "%.9g", seconds))
                        + "\n");
            }
        }
        out.flush();
    }
}
