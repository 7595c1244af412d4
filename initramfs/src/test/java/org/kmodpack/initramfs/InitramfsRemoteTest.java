package org.kmodpack.initramfs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.kmodpack.format.BlockLayout;
import org.kmodpack.format.EntryRecord;
import org.kmodpack.format.Header;
import org.kmodpack.format.IndexRegion;
import org.kmodpack.modules.ModuleIndex;
import org.kmodpack.packer.PackOptions;
import org.kmodpack.packer.PackProgress;
import org.kmodpack.packer.Packer;
import org.kmodpack.reader.Bundle;
import org.kmodpack.reader.ByteSource;
import org.kmodpack.reader.Progress;
import org.kmodpack.reader.RemoteOptions;
import org.kmodpack.testkernels.DebianKernels;
import org.kmodpack.testkernels.Nginx;

/**
 * Initramfs of Debian's cloud kernel from a bundle served by nginx (64 KiB blocks, so that depmod's files lie in
 * blocks of their own): the archive is the one the file gives, and the server sends the header, the index and the
 * blocks holding the closure's modules and the kernel's modules.builtin files, none of those holding only
 * modules.dep, .alias or .symbols, which the initramfs makes from the index.
 */
class InitramfsRemoteTest {
    private static final Pattern RANGE_START = Pattern.compile("bytes=(\\d+)-");
    private static final List<String> BUILTIN_FILES = List.of("modules.builtin", "modules.builtin.bin",
            "modules.builtin.alias.bin", "modules.builtin.modinfo");

    @Test
    void aRemoteBundleGivesTheSameArchiveFromTheClosuresBlocks(@TempDir Path work) throws IOException {
        Path www = Files.createDirectories(work.resolve("www"));
        Path file = www.resolve("cloud.kpack");
        Packer.pack(DebianKernels.moduleDir("cloud"), file, PackOptions.defaults().withBlockSize(64 << 10),
                PackProgress.NONE);
        byte[] fromFile;
        Set<Long> allowed = new TreeSet<>();
        try (Bundle bundle = Bundle.open(file)) {
            fromFile = archive(bundle, List.of("btrfs"));
            IndexRegion index = bundle.index();
            allowed.add(0L);
            // The index and the signature block follow the blocks: one request.
            allowed.add(Header.SIZE + bundle.info().storedDataLength());
            ModuleIndex modules = ModuleIndex.of(bundle);
            Initramfs initramfs = initramfs(bundle, modules);
            for (String module : initramfs.closure(List.of("btrfs"))) {
                addBlocks(allowed, index, bundle, modules.module(module).orElseThrow().path());
            }
            for (String name : BUILTIN_FILES) {
                addBlocks(allowed, index, bundle, name);
            }
        }
        try (Nginx server = Nginx.http(www, Files.createDirectories(work.resolve("nginx")));
                Bundle remote = Bundle.open(ByteSource.open(server.url("cloud.kpack"), RemoteOptions.DEFAULT),
                        Bundle.DEFAULT_CACHE_BYTES)) {
            assertArrayEquals(fromFile, archive(remote, List.of("btrfs")));
            for (Nginx.Request request : server.requests()) {
                Matcher start = RANGE_START.matcher(request.range());
                assertTrue(start.find() && allowed.contains(Long.parseLong(start.group(1))),
                        request + " is none of " + allowed);
            }
        }
    }

    private static Initramfs initramfs(Bundle bundle, ModuleIndex modules) {
        String dir = modules.moduleDirectory("");
        return new Initramfs(bundle, modules, modules.modprobe(modules.loadConfig(null, dir, problem -> { }), dir,
                problem -> { }));
    }

    private static byte[] archive(Bundle bundle, List<String> names) throws IOException {
        ModuleIndex modules = ModuleIndex.of(bundle);
        Initramfs initramfs = initramfs(bundle, modules);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        initramfs.write(initramfs.closure(names), out, Progress.NONE);
        return out.toByteArray();
    }

    /** The file offsets of the blocks holding the file {@code path}. */
    private static void addBlocks(Set<Long> offsets, IndexRegion index, Bundle bundle, String path)
            throws IOException {
        EntryRecord record = index.tree().entry(bundle.get(path).index());
        BlockLayout layout = index.blockLayout();
        for (int b = layout.blockAt(record.ref()); b <= layout.blockAt(record.ref() + record.size() - 1); b++) {
            offsets.add(index.block(b).offset());
        }
    }
}
