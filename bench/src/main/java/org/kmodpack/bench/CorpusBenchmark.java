package org.kmodpack.bench;

import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What every benchmark here shares (JMH inherits it; a benchmark overrides what it measures differently): state
 * per benchmark, the average time of 10 one-second iterations after 5 of warm-up, one forked JVM with a 1 GiB
 * heap, and the corpus it runs on.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 10, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xmx1g"})
public abstract class CorpusBenchmark {
    /** A {@link Corpus} name: "amd64" (Debian's generic kernel, about 4000 modules), "cloud", "synthetic" or a path. */
    @Param("amd64")
    public String flavour;
}
