package org.kmodpack.bench;

import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.results.IterationResult;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * bench/run's in-process rows: runs the JMH benchmarks below on one corpus and appends each measurement
 * iteration's time per operation, in seconds, to the results file (see {@code report.Results}), so that they are
 * summarised like the command-line rows, by median and min–max.
 * Usage: JmhRows CORPUS RESULTS.tsv [--quick]   (--quick: 2 warm-up and 3 measured iterations of 1 s, not 3 and 5)
 */
public final class JmhRows {
    /** Benchmark method → section, row and metric of the results file. */
    private static final Map<String, String[]> ROWS = Map.of(
            "OpenBenchmark.open", row("In-process lookups (JMH)", "kmodpack library", "open"),
            "BlockReadBenchmark.readDecompressingABlock",
            row("In-process lookups (JMH)", "kmodpack library", "4 KiB read, block decompressed"),
            "BlockReadBenchmark.readFromCachedBlock",
            row("In-process lookups (JMH)", "kmodpack library", "4 KiB read, cached block"),
            "LookupBenchmark.moduleByName", row("In-process lookups (JMH)", "kmodpack library", "module by name"),
            "LookupBenchmark.resolveAlias", row("In-process lookups (JMH)", "kmodpack library", "alias resolved"),
            "LoadOrderBenchmark.kmodpackLoadOrderOfEveryModule",
            row("In-process lookups (JMH)", "kmodpack library", "load order of every module"),
            "LoadOrderBenchmark.kmodModprobeShowDependsAll",
            row("In-process lookups (JMH)", "kmod modprobe -D -a (process)", "load order of every module"),
            "VerifyBenchmark.kmodpackVerify",
            row("Open + full verify", "kmodpack library (in process, JMH)", "time"));

    private JmhRows() {
    }

    private static String[] row(String section, String row, String metric) {
        return new String[] {section, row, metric};
    }

    public static void main(String[] args) throws IOException, RunnerException {
        if (args.length < 2 || args.length > 3 || (args.length == 3 && !args[2].equals("--quick"))) {
            System.err.println("usage: JmhRows CORPUS RESULTS.tsv [--quick]");
            System.exit(2);
        }
        boolean quick = args.length == 3;
        ChainedOptionsBuilder options = new OptionsBuilder().param("flavour", args[0]).forks(1)
                .mode(Mode.AverageTime).timeUnit(TimeUnit.NANOSECONDS)
                .warmupIterations(quick ? 2 : 3).warmupTime(TimeValue.seconds(1))
                .measurementIterations(quick ? 3 : 5).measurementTime(TimeValue.seconds(1));
        for (String method : ROWS.keySet()) {
            options.include("\\." + method.replace(".", "\\.") + "$");
        }
        try (Writer out = Files.newBufferedWriter(Path.of(args[1]), StandardCharsets.UTF_8,
                StandardOpenOption.CREATE, StandardOpenOption.APPEND)) {
            for (RunResult run : new Runner(options.build()).run()) {
                String benchmark = run.getParams().getBenchmark();
                String[] where = ROWS.get(benchmark.substring(benchmark.lastIndexOf('.', benchmark.lastIndexOf('.') - 1) + 1));
                for (IterationResult iteration : run.getBenchmarkResults().iterator().next().getIterationResults()) {
                    double seconds = iteration.getPrimaryResult().getScore() * 1e-9;
                    out.write(String.join("\t", where[0], where[1], where[2], "s",
                            String.format(Locale.ROOT, "%.9g", seconds)) + "\n");
                }
            }
        }
    }
}
