package org.kmodpack.format;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.kmodpack.reader.Bundle;
import org.kmodpack.testkernels.SpecVectors;

/**
 * The KERNEL_SYMBOLS section (spec/FORMAT.md section 18): names front coded with restarts, found without decoding
 * the others, versions kept for Module.symvers, and every malformed shape refused naming the bundle.
 */
class KernelSymbolSectionTest {
    /** Three restarts' worth of names sharing long prefixes, one longer than a one-byte length, one not ASCII. */
    private static List<KernelSymbolSection.Symbol> symbols() {
        List<KernelSymbolSection.Symbol> symbols = new ArrayList<>();
        for (int i = 0; i < 38; i++) {
            symbols.add(new KernelSymbolSection.Symbol(String.format("__kmodpack_symbol_%02d", i), 0x1000L + i));
        }
        symbols.add(new KernelSymbolSection.Symbol("x".repeat(200), 0xFFFFFFFFL));
        symbols.add(new KernelSymbolSection.Symbol("caf\u00e9_init", 7));
        return symbols;
    }

    @Test
    void whatIsEncodedDecodesAndIsFoundByName() throws CorruptBundleException {
        List<KernelSymbolSection.Symbol> symbols = symbols();
        KernelSymbolSection section = decode(KernelSymbolSection.encode(KernelSymbolSection.Source.MODULE_SYMVERS,
                symbols));
        assertEquals(KernelSymbolSection.Source.MODULE_SYMVERS, section.source());
        assertEquals(40, section.count());
        List<KernelSymbolSection.Symbol> sorted = new ArrayList<>(symbols);
        sorted.sort((a, b) -> Names.compare(a.name().getBytes(StandardCharsets.UTF_8),
                b.name().getBytes(StandardCharsets.UTF_8)));
        assertEquals(sorted, section.symbols());
        for (int i = 0; i < sorted.size(); i++) {
            assertEquals(i, section.find(sorted.get(i).name()), sorted.get(i).name());
            assertEquals(sorted.get(i).crc(), section.crc(i));
        }
        for (String absent : List.of("", "A", "__kmodpack_symbol_", "__kmodpack_symbol_15x", "__kmodpack_symbol_99",
                "caf\u00e9", "y")) {
            assertEquals(-1, section.find(absent), absent);
        }

        KernelSymbolSection names = decode(KernelSymbolSection.encode(KernelSymbolSection.Source.SYSTEM_MAP, symbols));
        assertEquals(KernelSymbolSection.Source.SYSTEM_MAP, names.source());
        assertEquals(0, names.crc(names.find("caf\u00e9_init")), "System.map has no versions");
        assertTrue(names.find("__kmodpack_symbol_37") >= 0);
    }

    @Test
    void whatTheSectionCannotHoldIsRefusedAtPackTime() {
        KernelSymbolSection.Source symvers = KernelSymbolSection.Source.MODULE_SYMVERS;
        KernelSymbolSection.Symbol twice = new KernelSymbolSection.Symbol("twice", 1);
        assertThrows(IllegalArgumentException.class, () -> KernelSymbolSection.encode(symvers, List.of(twice, twice)));
        assertThrows(IllegalArgumentException.class, () -> KernelSymbolSection.encode(symvers,
                List.of(new KernelSymbolSection.Symbol("wide", 1L << 32))));
        assertThrows(IllegalArgumentException.class, () -> KernelSymbolSection.encode(symvers,
                List.of(new KernelSymbolSection.Symbol("", 0))));
        assertThrows(IllegalArgumentException.class, () -> KernelSymbolSection.encode(symvers,
                List.of(new KernelSymbolSection.Symbol("y".repeat(KernelSymbolSection.MAX_NAME_LENGTH + 1), 0))));
    }

    @Test
    void malformedSectionsAreRefusedNamingTheBundle() {
        byte[] good = KernelSymbolSection.encode(KernelSymbolSection.Source.MODULE_SYMVERS, symbols());
        assertCorrupt(Forge.withInt(good, 0, 0), "magic");
        UnsupportedBundleException version = assertThrows(UnsupportedBundleException.class,
                () -> decode(Forge.withInt(good, 4, 2)));
        assertTrue(version.getMessage().contains("KERNEL_SYMBOLS section version 2"), version.getMessage());
        assertCorrupt(Forge.withInt(good, 8, 3), "source 3 is neither");
        assertCorrupt(Forge.withInt(good, 12, 41), "does not hold 41 symbols");
        assertCorrupt(Arrays.copyOf(good, good.length + 1), "does not hold");
        int restarts = 20;
        int names = restarts + 3 * 4;
        assertCorrupt(Forge.withInt(good, restarts + 4, ByteBuffer.wrap(good).order(java.nio.ByteOrder.LITTLE_ENDIAN)
                .getInt(restarts + 4) + 1), "restart 1 does not point at symbol 16");
        byte[] sharing = good.clone();
        sharing[names] = 1;
        assertCorrupt(sharing, "symbol 0 shares 1 bytes");

        // Two names, "ab" then "ac": records 00 02 'a' 'b', 01 01 'c'; then one-name sections.
        byte[] pair = KernelSymbolSection.encode(KernelSymbolSection.Source.SYSTEM_MAP, List.of(
                new KernelSymbolSection.Symbol("ab", 0), new KernelSymbolSection.Symbol("ac", 0)));
        int pairNames = 20 + 4;
        byte[] unordered = pair.clone();
        unordered[pairNames + 6] = 'a';
        assertCorrupt(unordered, "symbol 1 is not after");
        byte[] nul = pair.clone();
        nul[pairNames + 2] = 0;
        assertCorrupt(nul, "symbol 0 is not valid UTF-8 or holds a NUL");
        byte[] notUtf8 = pair.clone();
        notUtf8[pairNames + 6] = (byte) 0xff;
        assertCorrupt(notUtf8, "not valid UTF-8");
        byte[] pastEnd = pair.clone();
        pastEnd[pairNames + 5] = 2;
        assertCorrupt(pastEnd, "adds 2");
        byte[] empty = pair.clone();
        empty[pairNames + 1] = 0;
        assertCorrupt(empty, "adds 0");
        byte[] longVarint = pair.clone();
        longVarint[pairNames] = (byte) 0x80;
        longVarint[pairNames + 1] = (byte) 0x82;
        assertCorrupt(longVarint, "a length of more than 2 bytes");
        byte[] cutVarint = Arrays.copyOf(pair, pair.length - 1);
        cutVarint[pairNames + 5] = (byte) 0x81;
        assertCorrupt(Forge.withInt(cutVarint, 16, 6), "ends inside symbol 1");
        byte[] tooLong = KernelSymbolSection.encode(KernelSymbolSection.Source.SYSTEM_MAP,
                List.of(new KernelSymbolSection.Symbol("z".repeat(KernelSymbolSection.MAX_NAME_LENGTH), 0)));
        byte[] longer = Arrays.copyOf(tooLong, tooLong.length + 1);
        longer[longer.length - 1] = 'z';
        longer[20 + 4 + 1] = (byte) 0x81; // the length's low bits: 1024 + 1
        assertCorrupt(Forge.withInt(longer, 16, 1025 + 3), "adds 1025");
        byte[] trailing = Arrays.copyOf(pair, pair.length + 1);
        assertCorrupt(Forge.withInt(trailing, 16, 8), "1 bytes after the last kernel symbol belong to nothing");
    }

    @Test
    void aReaderThatSkipsTheSectionReadsTheTreeAndOneThatReadsItChecksItFirst(@TempDir Path work)
            throws IOException {
        byte[] symbols = SpecVectors.bytes("tiny-symbols");
        // The KERNEL_SYMBOLS descriptor's type (spec: tiny-symbols' layout), as a reader not knowing 9 sees it.
        byte[] unknown = Forge.reseal(Forge.withInt(symbols, 0xee, 77));
        Path skipped = Files.write(work.resolve("skipped.kpack"), unknown);
        Path none = Files.write(work.resolve("none.kpack"), SpecVectors.bytes("tiny-none"));
        try (Bundle skipping = Bundle.open(skipped); Bundle plain = Bundle.open(none)) {
            assertEquals(plain.entries().size(), skipping.entries().size());
            for (int i = 0; i < plain.entries().size(); i++) {
                assertEquals(plain.entries().get(i).path(), skipping.entries().get(i).path());
                assertArrayEquals(plain.entries().get(i).isFile() ? plain.readAllBytes(plain.entries().get(i))
                        : new byte[0], skipping.entries().get(i).isFile()
                        ? skipping.readAllBytes(skipping.entries().get(i)) : new byte[0]);
            }
            assertTrue(skipping.kernelSymbols().isEmpty());
        }
        // A damaged section (its source field, in the layout at 0x316) opens: it is checked when first used.
        Path damaged = Files.write(work.resolve("damaged.kpack"), Forge.reseal(Forge.withInt(symbols, 0x316, 5)));
        try (Bundle bundle = Bundle.open(damaged)) {
            assertEquals(6, bundle.entries().size());
            CorruptBundleException refused = assertThrows(CorruptBundleException.class, bundle::kernelSymbols);
            assertTrue(refused.getMessage().startsWith(damaged.toString()) && refused.getMessage()
                    .contains("source 5"), refused.getMessage());
        }
    }

    private static KernelSymbolSection decode(byte[] section) throws CorruptBundleException {
        return KernelSymbolSection.decode(ByteBuffer.wrap(section), "t.kpack");
    }

    private static void assertCorrupt(byte[] section, String reason) {
        HostileBundles.sectionRefused(() -> decode(section), reason);
    }
}
