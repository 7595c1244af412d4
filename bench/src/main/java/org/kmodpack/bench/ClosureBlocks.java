package org.kmodpack.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.TreeSet;
import org.kmodpack.format.BlockLayout;
import org.kmodpack.format.EntryRecord;
import org.kmodpack.format.IndexRegion;
import org.kmodpack.initramfs.Initramfs;
import org.kmodpack.modules.ModuleIndex;
import org.kmodpack.reader.Bundle;

/**
 * Prints, for bench/remote-vs-local's initramfs goal, the modules of NAMEs' closure (as {@code kmodpack initramfs}
 * takes them), the blocks holding their files, and those blocks' stored (compressed) bytes, tab-separated.
 * Usage: ClosureBlocks BUNDLE NAME...
 */
public final class ClosureBlocks {
    private ClosureBlocks() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length < 2) {
            System.err.println("usage: ClosureBlocks BUNDLE NAME...");
            System.exit(2);
        }
        Path file = Path.of(args[0]);
        IndexRegion index = SharedBlocks.index(file);
        BlockLayout layout = index.blockLayout();
        TreeSet<Integer> blocks = new TreeSet<>();
        List<String> modules;
        try (Bundle bundle = Bundle.open(file)) {
            ModuleIndex modulesIndex = ModuleIndex.of(bundle);
            String moduleDir = modulesIndex.moduleDirectory("");
            Initramfs initramfs = new Initramfs(bundle, modulesIndex, modulesIndex.modprobe(
                    modulesIndex.loadConfig(null, moduleDir, problem -> { }), moduleDir, problem -> { }));
            modules = initramfs.closure(List.of(args).subList(1, args.length));
            for (String module : modules) {
                String path = modulesIndex.module(module).orElseThrow().path();
                EntryRecord record = index.tree().entry(bundle.get(path).index());
                for (int b = layout.blockAt(record.ref()); b <= layout.blockAt(record.ref() + record.size() - 1); b++) {
                    blocks.add(b);
                }
            }
        }
        long stored = 0;
        for (int block : blocks) {
            stored += index.block(block).storedLength();
        }
        System.out.println(modules.size() + "\t" + blocks.size() + "\t" + stored);
    }
}
