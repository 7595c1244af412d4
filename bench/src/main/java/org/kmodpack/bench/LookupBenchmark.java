package org.kmodpack.bench;

import java.io.IOException;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.kmodpack.modules.Modprobe;
import org.kmodpack.modules.ModuleIndex;
import org.kmodpack.reader.Bundle;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The module index of an open bundle answering one question, taking every module (or alias) in turn: a module
 * by name (modules.dep), and a device alias resolved to its modules as {@code modprobe -R} does (modules.alias
 * patterns matched with fnmatch). The aliases are the tree's own patterns made concrete, so each finds a module.
 */
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class LookupBenchmark extends CorpusBenchmark {
    private PackedCorpus packed;
    private Bundle bundle;
    private ModuleIndex index;
    private Modprobe modprobe;
    private List<String> names;
    private List<String> aliases;
    private int nextName;
    private int nextAlias;

    @Setup(Level.Trial)
    public void pack() throws IOException {
        packed = new PackedCorpus(flavour);
        bundle = Bundle.open(packed.file);
        index = ModuleIndex.of(bundle);
        String dir = index.moduleDirectory("");
        modprobe = index.modprobe(index.loadConfig(List.of(), dir, m -> { }), dir, m -> { });
        names = index.moduleNames();
        aliases = index.aliasPatterns().stream().map(LookupBenchmark::concrete).toList();
        if (aliases.isEmpty()) {
            throw new IllegalStateException(flavour + " has no modules.alias patterns to resolve");
        }
    }

    @TearDown(Level.Trial)
    public void close() throws IOException {
        bundle.close();
        packed.close();
    }

    @Benchmark
    public Object moduleByName() {
        String name = names.get(nextName);
        nextName = (nextName + 1) % names.size();
        return index.module(name);
    }

    @Benchmark
    public List<String> resolveAlias() {
        String alias = aliases.get(nextAlias);
        nextAlias = (nextAlias + 1) % aliases.size();
        return modprobe.resolve(alias);
    }

    /** A string the fnmatch pattern matches: '*' as nothing, '?' as '0', a bracket class as its first member. */
    static String concrete(String pattern) {
        StringBuilder out = new StringBuilder(pattern.length());
        for (int i = 0; i < pattern.length(); i++) {
            char c = pattern.charAt(i);
            if (c == '*') {
                continue;
            }
            if (c == '?') {
                out.append('0');
            } else if (c == '[' && pattern.indexOf(']', i + 2) > 0) {
                int close = pattern.indexOf(']', i + 2);
                int first = pattern.charAt(i + 1) == '!' || pattern.charAt(i + 1) == '^' ? -1 : i + 1;
                out.append(first < 0 ? '~' : pattern.charAt(first));
                i = close;
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }
}
