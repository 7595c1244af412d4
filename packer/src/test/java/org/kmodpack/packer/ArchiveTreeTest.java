package org.kmodpack.packer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.kmodpack.format.KernelSymbolSection;
import org.kmodpack.packer.Archives.Codec;
import org.kmodpack.packer.Archives.Member;
import org.kmodpack.reader.Bundle;
import org.kmodpack.reader.Entry;
import org.kmodpack.testkernels.SyntheticKernel;
import org.kmodpack.testkernels.SyntheticKernels;

/** Module trees read out of tar archives and Debian packages, every codec, as the archive records them. */
class ArchiveTreeTest {
    private static final String KVER = "6.1.0-archive";
    private static final String DIR = "./lib/modules/" + KVER + "/";
    private static final byte[] MODULE = "\u007fELF not really a module, but packed all the same\n".repeat(3000)
            .getBytes(StandardCharsets.UTF_8);

    @TempDir
    Path work;

    /** A small tree with everything an archive can record, members outside it, and its own modules.dep. */
    static List<Member> tree() {
        return List.of(
                Member.directory("./", 0755, 1_600_000_000L),
                Member.directory("./boot/", 0755, 1_600_000_001L),
                Member.file("./boot/vmlinuz-" + KVER, "kernel"),
                Member.directory("./lib/", 0755, 1_600_000_002L),
                Member.directory("./lib/modules/", 0755, 1_600_000_003L),
                Member.directory(DIR, 0750, 1_600_000_004L),
                Member.directory(DIR + "kernel/", 0700, 1_600_000_005L),
                Member.file(DIR + "kernel/a.ko", 0600, 1_600_000_006L, MODULE),
                Member.hardLink(DIR + "kernel/b.ko", DIR + "kernel/a.ko"),
                Member.file(DIR + "kernel/run.sh", 0755, 1_600_000_007L, "#!/bin/sh\n".getBytes()),
                Member.symlink(DIR + "build", "/usr/src/linux-headers-" + KVER, 1_600_000_008L),
                Member.symlink(DIR + "kernel/c.ko", "a.ko", 1_600_000_009L),
                Member.file(DIR + "modules.dep", 0644, 1_600_000_010L,
                        "kernel/a.ko:\nkernel/b.ko:\n".getBytes()),
                Member.directory("./usr/", 0755, 1_600_000_011L),
                Member.file("./usr/share/doc/linux/changelog", "words"));
    }

    @Test
    void keepsModesTimesSymlinksAndHardLinksAndCountsWhatItIgnores() throws IOException {
        Path archive = write("tree.tar", Archives.tar(tree()));
        try (ArchiveTree tree = ArchiveTree.open(archive, null)) {
            assertEquals(KVER, tree.kernelVersion());
            assertEquals("lib/modules/" + KVER, tree.directoryName());
            assertEquals(7, tree.ignoredMembers(), "./, boot/ and its file, lib/, lib/modules/, usr/ and its file");
            assertTrue(tree.indexTime().isEmpty(), "the archive has modules.dep: no index written");
            Path bundlePath = work.resolve("tree.kpack");
            Packer.pack(tree, bundlePath, PackOptions.defaults(), List.of(), StatementTerms.defaults(),
                    PackProgress.NONE);
            try (Bundle bundle = Bundle.open(bundlePath)) {
                assertEntry(bundle.root(), 0750, 1_600_000_004L);
                assertEntry(bundle.get("kernel"), 0700, 1_600_000_005L);
                Entry a = bundle.get("kernel/a.ko");
                Entry b = bundle.get("kernel/b.ko");
                assertEntry(a, 0600, 1_600_000_006L);
                assertEquals(a.inode(), b.inode(), "a hard link stays one inode");
                assertEquals(2, a.linkCount());
                assertArrayEquals(MODULE, bundle.readAllBytes(b));
                assertEntry(bundle.get("kernel/run.sh"), 0755, 1_600_000_007L);
                assertEquals("/usr/src/linux-headers-" + KVER, bundle.get("build").symlinkTarget());
                assertEntry(bundle.get("build"), 0777, 1_600_000_008L);
                assertEquals("a.ko", bundle.get("kernel/c.ko").symlinkTarget());
                assertEquals(0, a.uid());
                assertEquals(List.of("build", "kernel", "modules.dep"),
                        bundle.list(bundle.root()).stream().map(Entry::name).toList());
            }
        }
    }

    private static void assertEntry(Entry entry, int mode, long mtime) {
        assertEquals(mode, entry.mode() & 07777, entry.path());
        assertEquals(FileTime.fromMillis(mtime * 1000), entry.lastModified(), entry.path());
    }

    @Test
    void everyCodecThePackageAndAPipeGiveTheSameBundle() throws IOException {
        byte[] tar = Archives.tar(tree());
        byte[] reference = pack(write("plain.tar", tar));
        for (Codec codec : Codec.values()) {
            byte[] compressed = Archives.compress(tar, codec);
            assertArrayEquals(reference, pack(write(codec + ".tar", compressed)), codec.toString());
            String data = "data.tar" + switch (codec) {
                case NONE -> "";
                case GZIP -> ".gz";
                case XZ, XZ_BLOCKS -> ".xz";
                case ZSTD -> ".zst";
            };
            assertArrayEquals(reference, pack(write(codec + ".deb", Archives.deb(data, compressed))),
                    codec + " in a package");
            try (ArchiveTree tree = ArchiveTree.read(new ByteArrayInputStream(compressed), "stdin", null)) {
                assertArrayEquals(reference, pack(tree), codec + " from a pipe");
            }
        }
    }

    /**
     * A kernel package's boot/System.map-KVER, before or after the module directory in the archive, gives the
     * kernel's exports the bundle records; one of another version, or one without exports (Debian's placeholder),
     * records none, and the result says which file it read.
     */
    @Test
    void theSystemMapOfTheKernelPackageIsRecordedWhereverItLies() throws IOException {
        String map = "ffffffff81000000 T printk\nffffffff81000010 r __ksymtab_printk\n"
                + "ffffffff81000020 r __ksymtab_kmalloc\n";
        Member systemMap = Member.file("./boot/System.map-" + KVER, map);
        List<Member> before = new ArrayList<>(List.of(systemMap));
        before.addAll(tree());
        List<Member> after = new ArrayList<>(tree());
        after.add(systemMap);
        for (List<Member> members : List.of(before, after)) {
            PackResult result;
            Path bundle = work.resolve("with-map.kpack");
            try (ArchiveTree tree = ArchiveTree.open(write("with-map.deb", Archives.deb("data.tar.xz",
                    Archives.compress(Archives.tar(members), Codec.XZ))), null)) {
                result = Packer.pack(tree, bundle, PackOptions.defaults(), List.of(), StatementTerms.defaults(),
                        PackProgress.NONE);
            }
            assertEquals(Optional.of("boot/System.map-" + KVER), result.kernelSymbols().fromSource());
            assertEquals(Optional.of(new PackResult.Recorded(KernelSymbolSection.Source.SYSTEM_MAP, 2)),
                    result.kernelSymbols().recorded());
            try (Bundle opened = Bundle.open(bundle)) {
                assertEquals("1.4", opened.info().formatVersion());
                KernelSymbolSection symbols = opened.kernelSymbols().orElseThrow();
                assertEquals(List.of("kmalloc", "printk"), symbols.symbols().stream()
                        .map(KernelSymbolSection.Symbol::name).toList());
            }
        }

        List<Member> placeholder = new ArrayList<>(tree());
        placeholder.add(Member.file("./boot/System.map-" + KVER,
                "ffffffffffffffff B The real System.map is in the linux-image-<version>-dbg package\n"));
        placeholder.add(Member.file("./boot/System.map-6.2.0-other", map));
        Path bundle = work.resolve("placeholder.kpack");
        PackResult result;
        try (ArchiveTree tree = ArchiveTree.open(write("placeholder.tar", Archives.tar(placeholder)), null)) {
            result = Packer.pack(tree, bundle, PackOptions.defaults(), List.of(), StatementTerms.defaults(),
                    PackProgress.NONE);
        }
        assertEquals(Optional.of("boot/System.map-" + KVER), result.kernelSymbols().fromSource());
        assertTrue(result.kernelSymbols().recorded().isEmpty(), "a System.map without exports is not recorded");
        try (Bundle opened = Bundle.open(bundle)) {
            assertEquals("1.0", opened.info().formatVersion());
            assertTrue(opened.kernelSymbols().isEmpty());
        }
    }

    /** liblzma (which every Debian system has) and XZ for Java decode the same blocks, and refuse damaged ones. */
    @Test
    void xzBlocksDecodeTheSameWithLiblzmaAndXzForJava() throws IOException {
        Optional<Liblzma> liblzma = Liblzma.load();
        assertTrue(liblzma.isPresent(), "liblzma.so.5 loads");
        byte[] tar = Archives.tar(tree());
        byte[] compressed = Archives.compress(tar, Codec.XZ_BLOCKS);
        byte[] damaged = compressed.clone();
        damaged[damaged.length / 2] ^= 0x20;
        for (Optional<Liblzma> decoder : List.of(liblzma, Optional.<Liblzma>empty())) {
            try (var file = java.nio.channels.FileChannel.open(write("blocks.tar.xz", compressed));
                    InputStream in = ParallelXzInputStream.open(file, 0, file.size(),
                            ArchiveStreams.XZ_MEMORY_LIMIT_KIB, 2, decoder).orElseThrow()) {
                assertArrayEquals(tar, in.readAllBytes());
            }
            try (var file = java.nio.channels.FileChannel.open(write("damaged.tar.xz", damaged));
                    InputStream in = ParallelXzInputStream.open(file, 0, file.size(),
                            ArchiveStreams.XZ_MEMORY_LIMIT_KIB, 2, decoder).orElseThrow()) {
                assertThrows(IOException.class, in::readAllBytes, decoder.isPresent() ? "liblzma" : "XZ for Java");
            }
        }
    }

    /**
     * Many blocks of different sizes decoded on more threads than cores, again and again: every block comes out
     * whole and in its place (decoders once asked XZ for Java's index at the same time and got each other's
     * block positions, and a sound package was refused as corrupt now and then).
     */
    @Test
    void manySmallBlocksDecodeOnManyThreadsInTheirPlaces() throws IOException {
        java.io.ByteArrayOutputStream plain = new java.io.ByteArrayOutputStream();
        java.io.ByteArrayOutputStream compressed = new java.io.ByteArrayOutputStream();
        try (org.tukaani.xz.XZOutputStream xz = new org.tukaani.xz.XZOutputStream(compressed,
                new org.tukaani.xz.LZMA2Options(0))) {
            for (int block = 0; block < 600; block++) {
                byte[] bytes = ("block " + block + " ").repeat(50 + block % 97).getBytes(StandardCharsets.US_ASCII);
                plain.writeBytes(bytes);
                xz.write(bytes);
                xz.endBlock();
            }
        }
        Path file = write("many-blocks.xz", compressed.toByteArray());
        for (Optional<Liblzma> decoder : List.of(Liblzma.load(), Optional.<Liblzma>empty())) {
            for (int round = 0; round < 5; round++) {
                try (var channel = java.nio.channels.FileChannel.open(file);
                        InputStream in = ParallelXzInputStream.open(channel, 0, channel.size(),
                                ArchiveStreams.XZ_MEMORY_LIMIT_KIB, 8, decoder).orElseThrow()) {
                    assertArrayEquals(plain.toByteArray(), in.readAllBytes(), "round " + round);
                }
            }
        }
    }

    @Test
    void blockwiseXzDecodingIsUsedForFilesWithSeveralBlocks() throws IOException {
        byte[] compressed = Archives.compress(Archives.tar(tree()), Codec.XZ_BLOCKS);
        try (var file = java.nio.channels.FileChannel.open(write("blocks.tar.xz", compressed))) {
            assertTrue(ParallelXzInputStream.open(file, 0, file.size(), ArchiveStreams.XZ_MEMORY_LIMIT_KIB, 2)
                    .isPresent());
        }
        byte[] single = Archives.compress(Archives.tar(tree()), Codec.XZ);
        try (var file = java.nio.channels.FileChannel.open(write("single.tar.xz", single))) {
            assertTrue(ParallelXzInputStream.open(file, 0, file.size(), ArchiveStreams.XZ_MEMORY_LIMIT_KIB, 2)
                    .isEmpty(), "one block: decoded as a stream");
        }
    }

    /**
     * Without modules.dep, kmodpack's depmod indexes the tree; its files are kmod's depmod's, byte for byte (the
     * synthetic tree was indexed by kmod), and carry the newest member's time.
     */
    @Test
    void indexesATreeWithoutModulesDepAsKmodsDepmodDoes() throws IOException {
        Path moduleDir = SyntheticKernels.moduleDir(SyntheticKernel.BASIC);
        Path root = moduleDir.getParent().getParent().getParent();
        Set<String> written = Set.copyOf(org.kmodpack.modules.Depmod.INDEX_FILES);
        byte[] tar = Archives.tarOf(root, written::contains);
        try (ArchiveTree tree = ArchiveTree.open(write("basic.tar.zst", Archives.compress(tar, Codec.ZSTD)), null)) {
            assertTrue(tree.indexTime().isPresent());
            FileTime newest = newestTime(moduleDir, written);
            assertEquals(newest, tree.indexTime().get());
            for (String name : written) {
                Path expected = moduleDir.resolve(name);
                if (Files.exists(expected)) {
                    Path ours = tree.moduleDirectory().resolve(name);
                    assertArrayEquals(Files.readAllBytes(expected), Files.readAllBytes(ours), name);
                    assertEquals(newest, Files.getLastModifiedTime(ours), name);
                }
            }
            Path bundlePath = work.resolve("basic.kpack");
            PackResult result = Packer.pack(tree, bundlePath, PackOptions.defaults(), List.of(),
                    StatementTerms.defaults(), PackProgress.NONE);
            assertTrue(result.indexedModules() > 0, "the bundle has a module index");
        }
    }

    /**
     * Packed as it streams (the module files compressed as they come, in the archive's order, and read once for
     * depmod and the module index), an archive gives the tree and the module index of its tree held in memory: a
     * hard-linked and a symlinked module, a tree with modules.dep and one our depmod indexes; from a pipe too.
     */
    @Test
    void packedAsItStreamsAnArchiveGivesTheTreeAndModuleIndexOfItsHeldTree() throws IOException {
        Path moduleDir = SyntheticKernels.moduleDir(SyntheticKernel.BASIC);
        Set<String> written = Set.copyOf(org.kmodpack.modules.Depmod.INDEX_FILES);
        byte[] unindexed = Archives.tarOf(moduleDir.getParent().getParent().getParent(), written::contains);
        for (byte[] tar : List.of(Archives.tar(tree()), unindexed)) {
            Path archive = write("streamed.tar.xz", Archives.compress(tar, Codec.XZ_BLOCKS));
            Path held = work.resolve("held.kpack");
            PackResult heldResult;
            try (ArchiveTree tree = ArchiveTree.open(archive, null)) {
                heldResult = Packer.pack(tree, held, PackOptions.defaults(), List.of(), StatementTerms.defaults(),
                        PackProgress.NONE);
            }
            Path streamed = work.resolve("streamed.kpack");
            PackResult result = Packer.packArchive(archive, version -> streamed, PackOptions.defaults(), List.of(),
                    StatementTerms.defaults(), PackProgress.NONE, tree -> { });
            assertEquals(heldResult.indexedModules(), result.indexedModules());
            assertEquals(heldResult.files(), result.files());
            assertEquals(heldResult.inputBytes(), result.inputBytes());
            assertSameBundleContents(held, streamed);
            Path piped = work.resolve("piped.kpack");
            Packer.packArchive(new ByteArrayInputStream(Files.readAllBytes(archive)), "stdin", version -> piped,
                    PackOptions.defaults(), List.of(), StatementTerms.defaults(), PackProgress.NONE, tree -> { });
            assertArrayEquals(Files.readAllBytes(streamed), Files.readAllBytes(piped), "from a pipe");
            for (Path bundle : List.of(held, streamed, piped)) {
                Files.delete(bundle);
            }
        }
    }

    /** Both bundles extract to the same tree and answer every module lookup the same. */
    private void assertSameBundleContents(Path expected, Path actual) throws IOException {
        Path expectedTree = work.resolve("expected-tree");
        Path actualTree = work.resolve("actual-tree");
        try (Bundle a = Bundle.open(expected); Bundle b = Bundle.open(actual)) {
            org.kmodpack.reader.Extractor.extract(a, expectedTree, List.of(), false);
            org.kmodpack.reader.Extractor.extract(b, actualTree, List.of(), false);
            assertEquals(a.modules().isPresent(), b.modules().isPresent(), "a module index in both or neither");
            if (a.modules().isEmpty()) {
                return;
            }
            org.kmodpack.format.ModuleSection ma = a.modules().get();
            org.kmodpack.format.ModuleSection mb = b.modules().get();
            assertEquals(ma.moduleCount(), mb.moduleCount());
            for (int m = 0; m < ma.moduleCount(); m++) {
                assertEquals(ma.moduleName(m), mb.moduleName(m));
                assertEquals(ma.modulePath(m), mb.modulePath(m));
                assertEquals(ma.moduleEntry(m), mb.moduleEntry(m));
                assertArrayEquals(ma.moduleDeps(m), mb.moduleDeps(m));
                assertEquals(ma.moduleFlags(m), mb.moduleFlags(m), ma.moduleName(m));
                assertArrayEquals(a.readModuleInfo(ma.moduleInfo(m)), b.readModuleInfo(mb.moduleInfo(m)),
                        ma.moduleName(m));
            }
            for (org.kmodpack.format.ModuleSection.KeyTable table : org.kmodpack.format.ModuleSection.KeyTable.values()) {
                assertEquals(ma.patterns(table), mb.patterns(table), table.toString());
            }
        } finally {
            org.kmodpack.testkernels.TreeAssertions.assertSameTree(expectedTree, actualTree, true);
            deleteTree(expectedTree);
            deleteTree(actualTree);
        }
    }

    private static void deleteTree(Path root) throws IOException {
        try (var walk = Files.walk(root)) {
            for (Path path : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        }
    }

    private static FileTime newestTime(Path moduleDir, Set<String> skipped) throws IOException {
        List<FileTime> times = new ArrayList<>();
        try (var walk = Files.walk(moduleDir)) {
            for (Path path : walk.filter(p -> !skipped.contains(p.getFileName().toString())).toList()) {
                times.add(FileTime.fromMillis(Files.getLastModifiedTime(path,
                        java.nio.file.LinkOption.NOFOLLOW_LINKS).toMillis() / 1000 * 1000));
            }
        }
        return times.stream().max(FileTime::compareTo).orElseThrow();
    }

    @Test
    void severalKernelsAreRefusedUnlessOneIsChosen() throws IOException {
        List<Member> members = new ArrayList<>(tree());
        members.add(Member.file("./usr/lib/modules/6.2.0-other/modules.dep", ""));
        Path archive = write("two.tar", Archives.tar(members));
        IOException refused = assertThrows(IOException.class, () -> ArchiveTree.open(archive, null));
        assertEquals(archive + ": holds several module directories [lib/modules/" + KVER
                + ", usr/lib/modules/6.2.0-other]; choose one with --kernel-version", refused.getMessage());
        try (ArchiveTree chosen = ArchiveTree.open(archive, "6.2.0-other")) {
            assertEquals("usr/lib/modules/6.2.0-other", chosen.directoryName());
            assertEquals(tree().size(), chosen.ignoredMembers());
        }
    }

    private byte[] pack(Path archive) throws IOException {
        try (ArchiveTree tree = ArchiveTree.open(archive, null)) {
            return pack(tree);
        }
    }

    private byte[] pack(ArchiveTree tree) throws IOException {
        Path bundle = work.resolve("bundle.kpack");
        Packer.pack(tree, bundle, PackOptions.defaults(), List.of(), StatementTerms.defaults(), PackProgress.NONE);
        byte[] bytes = Files.readAllBytes(bundle);
        Files.delete(bundle);
        return bytes;
    }

    private Path write(String name, byte[] bytes) throws IOException {
        return Files.write(work.resolve(name), bytes);
    }
}
