package org.kmodpack.initramfs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.apache.commons.compress.archivers.cpio.CpioArchiveEntry;
import org.apache.commons.compress.archivers.cpio.CpioArchiveInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.kmodpack.format.ModuleContent;
import org.kmodpack.modules.DepmodBin;
import org.kmodpack.modules.ModuleIndex;
import org.kmodpack.modules.ModuleNames;
import org.kmodpack.packer.PackOptions;
import org.kmodpack.packer.PackProgress;
import org.kmodpack.packer.Packer;
import org.kmodpack.reader.Bundle;
import org.kmodpack.reader.Progress;
import org.kmodpack.testkernels.DebianKernels;
import org.kmodpack.testkernels.Kmod;

/**
 * Initramfs on Debian's cloud kernel: the real kmod, run on the unpacked archive, finds for each requested name
 * the same modules in the same order as on the full tree (so the restricted modules.dep, modules.alias and the
 * .bin tries written for them are right), and the restricted depmod files, made from the module index, are the
 * tree's own files cut down to the held modules.
 */
class InitramfsTest {
    private static final List<List<String>> REQUESTS = List.of(List.of("btrfs"),
            List.of("virtio_pci", "virtio_blk", "ext4", "fs-xfs"), List.of("overlay", "fuse"),
            // act_bpf has neither an alias nor an exported symbol: its priority comes from modules.dep.
            List.of("act_bpf", "sch_fq"));
    private static final List<String> TEXT_FILES = List.of("modules.dep", "modules.alias", "modules.symbols");

    @TempDir
    Path work;

    @Test
    void kmodFindsTheSameClosureInTheArchiveAsInTheFullTree() throws IOException {
        Path moduleDir = DebianKernels.moduleDir("cloud");
        Path root = moduleDir.getParent().getParent().getParent();
        String kver = moduleDir.getFileName().toString();
        Path bundlePath = work.resolve("cloud.kpack");
        Packer.pack(moduleDir, bundlePath, PackOptions.defaults(), PackProgress.NONE);
        try (Bundle bundle = Bundle.open(bundlePath)) {
            ModuleIndex index = ModuleIndex.of(bundle);
            String dir = index.moduleDirectory("");
            Initramfs initramfs = new Initramfs(bundle, index,
                    index.modprobe(index.loadConfig(null, dir, problem -> { }), dir, problem -> { }));
            for (List<String> names : REQUESTS) {
                Path archive = work.resolve("initramfs.cpio");
                try (OutputStream out = Files.newOutputStream(archive)) {
                    initramfs.write(initramfs.closure(names), out, Progress.NONE);
                }
                Path extracted = Files.createTempDirectory(work, "x");
                extract(Files.newInputStream(archive), extracted);
                assertDepmodFilesAreTheTreesRestricted(moduleDir, extracted.resolve("lib/modules/" + kver),
                        initramfs.closure(names));
                for (String name : names) {
                    for (String mode : List.of("-D", "-R")) {
                        Kmod.Result full = Kmod.run(List.of("modprobe", "-d", root.toString(), "-S", kver, mode,
                                name));
                        Kmod.Result held = Kmod.run(List.of("modprobe", "-d", extracted.toString(), "-S", kver,
                                mode, name));
                        assertEquals(0, full.exit(), full.err());
                        assertEquals(full.out().replace(root.toString(), "ROOT"),
                                held.out().replace(extracted.toString(), "ROOT"), mode + " " + name + ": "
                                + held.err());
                        assertEquals("", held.err(), mode + " " + name);
                    }
                }
            }
        }
    }

    /**
     * Each text file is the tree's own, its comment lines and the lines of the held modules only, in the tree's
     * order; each .bin holds the tree's .bin keys and values of those modules, priorities included.
     */
    private static void assertDepmodFilesAreTheTreesRestricted(Path tree, Path held, List<String> modules)
            throws IOException {
        Set<String> names = Set.copyOf(modules);
        for (String file : TEXT_FILES) {
            List<String> expected = Files.readAllLines(tree.resolve(file)).stream().filter(line -> line.startsWith("#")
                    || names.contains(file.equals("modules.dep")
                            ? ModuleNames.fromPath(line.substring(0, line.indexOf(':')))
                            : line.substring(line.lastIndexOf(' ') + 1))).toList();
            assertEquals(expected, Files.readAllLines(held.resolve(file)), file + " of " + modules);
            List<ModuleContent.Key> expectedKeys = new ArrayList<>();
            for (ModuleContent.Key key : DepmodBin.read(tree.resolve(file + ".bin"))) {
                List<ModuleContent.Value> values = key.values().stream().filter(value -> names.contains(
                        file.equals("modules.dep") ? key.key() : value.name())).toList();
                if (!values.isEmpty()) {
                    expectedKeys.add(new ModuleContent.Key(key.key(), values));
                }
            }
            assertEquals(expectedKeys, DepmodBin.read(held.resolve(file + ".bin")), file + ".bin of " + modules);
        }
        assertEquals(Files.readString(tree.resolve("modules.softdep")), Files.readString(held.resolve(
                "modules.softdep")));
    }

    private static void extract(InputStream in, Path dest) throws IOException {
        try (CpioArchiveInputStream cpio = new CpioArchiveInputStream(in)) {
            for (CpioArchiveEntry e = cpio.getNextCPIOEntry(); e != null; e = cpio.getNextCPIOEntry()) {
                Path target = dest.resolve(e.getName()).normalize();
                assertTrue(target.startsWith(dest), e.getName());
                if (e.isDirectory()) {
                    Files.createDirectories(target);
                } else {
                    Files.createDirectories(target.getParent());
                    Files.copy(cpio, target);
                }
            }
        }
    }
}
