package org.kmodpack.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.kmodpack.modules.ModprobeConfig;
import org.kmodpack.modules.Modprobe;
import org.kmodpack.modules.ModuleIndex;
import org.kmodpack.reader.Bundle;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * The load order (what {@code modprobe --show-depends} prints) of every module of a real Debian tree, resolved
 * in one process from an open bundle, and, measured in the same run, kmod's own {@code modprobe -D -a} over all
 * modules on the unpacked tree (process start included, as a user or a script pays it).
 */
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 10, time = 2)
public class LoadOrderBenchmark extends CorpusBenchmark {
    private PackedCorpus packed;
    private Bundle bundle;
    private ModuleIndex index;
    private ModprobeConfig config;
    private String moduleDir;
    private List<String> names;
    private List<String> kmodCommand;

    @Setup(Level.Trial)
    public void pack() throws IOException {
        packed = new PackedCorpus(flavour);
        Path root = packed.root();
        String kver = packed.tree.getFileName().toString();
        names = moduleNames(packed.tree);
        bundle = Bundle.open(packed.file);
        index = ModuleIndex.of(bundle);
        moduleDir = index.moduleDirectory(root.toString());
        config = index.loadConfig(null, moduleDir, message -> { });
        kmodCommand = new ArrayList<>(List.of("modprobe", "-d", root.toString(), "-S", kver, "-D", "-a"));
        kmodCommand.addAll(names);
    }

    @TearDown(Level.Trial)
    public void close() throws IOException {
        bundle.close();
        packed.close();
    }

    /** kmodpack: one modprobe session over the open bundle, every module in turn, as {@code -D -a} does. */
    @Benchmark
    public void kmodpackLoadOrderOfEveryModule(Blackhole sink) {
        Modprobe modprobe = index.modprobe(config, moduleDir, message -> { });
        for (String name : names) {
            sink.consume(modprobe.showDepends(name, null, false));
        }
    }

    /** kmod: {@code modprobe -d ROOT -S KVER -D -a} every module, output discarded, process start included. */
    @Benchmark
    public int kmodModprobeShowDependsAll() throws IOException, InterruptedException {
        Process process = new ProcessBuilder(kmodCommand).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        return process.waitFor();
    }

    private static List<String> moduleNames(Path tree) throws IOException {
        Set<String> names = new LinkedHashSet<>();
        for (String line : Files.readAllLines(tree.resolve("modules.dep"), StandardCharsets.UTF_8)) {
            String path = line.substring(0, line.indexOf(':'));
            String base = path.substring(path.lastIndexOf('/') + 1);
            names.add(base.substring(0, base.indexOf('.')).replace('-', '_'));
        }
        return List.copyOf(names);
    }
}
