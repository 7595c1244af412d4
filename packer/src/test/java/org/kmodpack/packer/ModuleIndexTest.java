package org.kmodpack.packer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.kmodpack.format.CorruptBundleException;
import org.kmodpack.format.Header;
import org.kmodpack.format.IndexRegion;
import org.kmodpack.format.ModuleSection;
import org.kmodpack.modules.Modprobe;
import org.kmodpack.modules.ModprobeConfig;
import org.kmodpack.modules.ModuleIndex;
import org.kmodpack.modules.ProbeStep;
import org.kmodpack.reader.Bundle;
import org.kmodpack.testkernels.MinimalElf;
import org.kmodpack.testkernels.SyntheticKernel;
import org.kmodpack.testkernels.SyntheticKernels;

/** The MODULES section as written and read: optional for old readers, absent without depmod, damage-proof. */
class ModuleIndexTest {
    @TempDir
    Path work;

    @Test
    void treeWithoutDepmodOutputPacksWithoutAModuleIndex() throws IOException {
        Path tree = Files.createDirectories(work.resolve("6.1.0-bare/kernel"));
        Files.write(tree.resolve("m.ko"), MinimalElf.relocatable(true, ByteOrder.LITTLE_ENDIAN,
                "\0\0license=GPL\0name=tiny\0".getBytes(java.nio.charset.StandardCharsets.US_ASCII)));
        Path bundle = work.resolve("bare.kpack");
        PackResult result = Packer.pack(tree.getParent(), bundle, PackOptions.defaults(), PackProgress.NONE);
        assertEquals(-1, result.indexedModules());
        try (Bundle open = Bundle.open(bundle)) {
            assertTrue(open.modules().isEmpty());
            IOException e = assertThrows(IOException.class, () -> ModuleIndex.of(open));
            assertTrue(e.getMessage().contains("has no module index") && e.getMessage().contains("run depmod"),
                    e.getMessage());
        }
    }

    @Test
    void modulesSectionIsOptionalSoOlderReadersSkipIt() throws IOException {
        Path bundle = pack();
        byte[] bytes = Files.readAllBytes(bundle);
        Header header = Header.decode(java.util.Arrays.copyOf(bytes, Header.SIZE), bytes.length, "b");
        ByteBuffer index = ByteBuffer.wrap(bytes, (int) header.indexOffset(), (int) header.indexLength()).slice()
                .order(ByteOrder.LITTLE_ENDIAN);
        int sections = index.getInt(4);
        boolean found = false;
        for (int i = 0; i < sections; i++) {
            int type = index.getInt(8 + i * 24);
            int flags = index.getInt(12 + i * 24);
            if (type == IndexRegion.SECTION_MODULES) {
                found = true;
                assertEquals(0, flags & IndexRegion.FLAG_REQUIRED, "MODULES must not be REQUIRED");
            } else {
                assertEquals(IndexRegion.FLAG_REQUIRED, flags);
            }
        }
        assertTrue(found);
    }

    @Test
    void damagedSectionsAreRefusedOrReadSafely() throws IOException {
        byte[] good = sectionBytes(pack());
        assertEquals(0x444F4D4B /* "KMOD" */, ByteBuffer.wrap(good).order(ByteOrder.LITTLE_ENDIAN).getInt(0));
        Random random = new Random(42);
        int refused = 0;
        for (int round = 0; round < 3000; round++) {
            byte[] bad = good.clone();
            int flips = 1 + random.nextInt(4);
            for (int f = 0; f < flips; f++) {
                // Mostly the header and the fixed-size tables, where a flip changes references.
                int at = random.nextInt(random.nextBoolean() ? Math.min(4096, bad.length) : bad.length);
                bad[at] ^= (byte) (1 << random.nextInt(8));
            }
            ModuleSection section;
            try {
                section = ModuleSection.decode(ByteBuffer.wrap(bad), "fuzzed.kpack");
            } catch (CorruptBundleException refusedAsItShould) {
                assertTrue(refusedAsItShould.getMessage().startsWith("fuzzed.kpack: "));
                refused++;
                continue;
            }
            readEverything(section);
        }
        assertTrue(refused > 100, "only " + refused + " damaged sections were refused");
    }

    @Test
    void damagedModinfoRecordsAreRefused() throws IOException {
        try (Bundle open = Bundle.open(pack())) {
            ModuleSection section = open.modules().orElseThrow();
            byte[] good = open.readModuleInfo(section.moduleInfo(section.findModule("chain_a")));
            assertTrue(ModuleSection.decodeInfo(good, "b").stream().anyMatch(i -> i.key().equals("vermagic")));
            Random random = new Random(7);
            for (int round = 0; round < 2000; round++) {
                byte[] bad = java.util.Arrays.copyOf(good, random.nextInt(good.length + 1));
                if (bad.length > 0) {
                    bad[random.nextInt(bad.length)] ^= (byte) (1 << random.nextInt(8));
                }
                try {
                    ModuleSection.decodeInfo(bad, "fuzzed.kpack");
                } catch (CorruptBundleException refusedAsItShould) {
                    assertTrue(refusedAsItShould.getMessage().startsWith("fuzzed.kpack: "));
                }
            }
        }
    }

    @Test
    void modulesByNameWithTheirDependencies() throws IOException {
        try (Bundle open = Bundle.open(pack())) {
            ModuleIndex index = ModuleIndex.of(open);
            ModuleIndex.Module chainA = index.module("chain-a").orElseThrow();
            assertEquals("chain_a", chainA.name());
            assertEquals("kernel/lib/chain/chain_a.ko.xz", chainA.path());
            assertEquals(List.of("chain_b", "chain_c", "chain_d"), chainA.dependencies());
            assertTrue(open.find(chainA.path()).orElseThrow().isFile());
            assertTrue(index.module("no_such_module").isEmpty());
            ModuleSection section = open.modules().orElseThrow();
            assertTrue(section.hasValueNamed(ModuleSection.KeyTable.SYMBOLS, "chain_a"), "chain_a exports");
            assertFalse(section.hasValueNamed(ModuleSection.KeyTable.SYMBOLS, "standalone"), "standalone does not");
            assertTrue(section.hasValueNamed(ModuleSection.KeyTable.ALIASES, "standalone"));
            assertTrue(section.isDependency(section.findModule("chain_d")), "chain_a's line holds chain_d");
            assertFalse(section.isDependency(section.findModule("standalone")), "nothing depends on standalone");
            assertEquals("chain head", new String(index.modinfo("/lib/modules/x").fields("chain_a").stream()
                    .filter(f -> f.key().equals("description")).findFirst().orElseThrow().value(),
                    java.nio.charset.StandardCharsets.UTF_8));
        }
    }

    @Test
    void oneIndexServesManyThreads() throws Exception {
        Path bundle = pack();
        try (Bundle open = Bundle.open(bundle)) {
            ModuleIndex index = ModuleIndex.of(open);
            String dir = index.moduleDirectory("/r");
            ModprobeConfig config = index.loadConfig(List.of(), dir, null, m -> { });
            List<String> expected = loadOrders(index, config, dir);
            ExecutorService pool = Executors.newFixedThreadPool(8);
            try {
                List<Future<List<String>>> results = new ArrayList<>();
                for (int t = 0; t < 16; t++) {
                    results.add(pool.submit(() -> loadOrders(index, config, dir)));
                }
                for (Future<List<String>> result : results) {
                    assertEquals(expected, result.get());
                }
            } finally {
                pool.shutdownNow();
            }
        }
    }

    private static List<String> loadOrders(ModuleIndex index, ModprobeConfig config, String dir) {
        Modprobe modprobe = index.modprobe(config, dir, m -> { });
        List<String> lines = new ArrayList<>();
        for (String name : index.moduleNames()) {
            modprobe.showDepends(name, null, false).orElseThrow().stream().map(ProbeStep::toString).forEach(lines::add);
        }
        assertFalse(lines.isEmpty());
        return lines;
    }

    private static void readEverything(ModuleSection section) {
        for (int i = 0; i < section.moduleCount(); i++) {
            section.moduleName(i);
            section.modulePath(i);
            section.moduleDeps(i);
            ModuleSection.InfoRef ref = section.moduleInfo(i);
            assertTrue(ref.offset() >= section.modinfoOffset()
                    && ref.offset() + ref.length() <= section.modinfoOffset() + section.modinfoLength());
            section.findModule(section.moduleName(i));
        }
        for (ModuleSection.KeyTable table : ModuleSection.KeyTable.values()) {
            for (String pattern : section.patterns(table)) {
                byte[] key = pattern.getBytes(java.nio.charset.StandardCharsets.UTF_8);
                for (int d = 0; d <= key.length; d++) {
                    ModuleSection.KeyRange range = section.keysWithLiteralPrefix(table, key, d);
                    for (int k = range.from(); k < range.to(); k++) {
                        section.keyPattern(table, k);
                        section.keyIsWild(table, k);
                        section.keyValues(table, k);
                    }
                }
            }
        }
        section.isBuiltin("builtin");
        section.softdepConfig();
    }

    private Path pack() throws IOException {
        Path bundle = work.resolve("basic.kpack");
        PackResult result = Packer.pack(SyntheticKernels.moduleDir(SyntheticKernel.BASIC), bundle,
                PackOptions.defaults(), PackProgress.NONE);
        assertTrue(result.indexedModules() > 20, "indexed " + result.indexedModules());
        return bundle;
    }

    private static byte[] sectionBytes(Path bundle) throws IOException {
        try (Bundle open = Bundle.open(bundle)) {
            assertTrue(open.modules().isPresent());
        }
        byte[] bytes = Files.readAllBytes(bundle);
        Header header = Header.decode(java.util.Arrays.copyOf(bytes, Header.SIZE), bytes.length, "b");
        ByteBuffer index = ByteBuffer.wrap(bytes, (int) header.indexOffset(), (int) header.indexLength()).slice()
                .order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < index.getInt(4); i++) {
            if (index.getInt(8 + i * 24) == IndexRegion.SECTION_MODULES) {
                int offset = (int) index.getLong(16 + i * 24);
                int length = (int) index.getLong(24 + i * 24);
                return java.util.Arrays.copyOfRange(bytes, (int) header.indexOffset() + offset,
                        (int) header.indexOffset() + offset + length);
            }
        }
        throw new AssertionError("no MODULES section");
    }
}
