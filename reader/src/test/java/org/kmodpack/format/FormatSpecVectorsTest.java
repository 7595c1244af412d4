package org.kmodpack.format;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.google.common.jimfs.Configuration;
import com.google.common.jimfs.Jimfs;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.kmodpack.reader.Bundle;
import org.kmodpack.reader.BundleInfo;
import org.kmodpack.reader.Entry;
import org.kmodpack.testkernels.SpecVectors;

/**
 * The test vectors of spec/FORMAT.md: the layout table must describe the hex dump exactly, and the reader
 * must report exactly what the expect block says, from a Jimfs file (positional reads) and from a real
 * file (memory-mapped).
 */
class FormatSpecVectorsTest {
    @TempDir
    Path temporary;

    static List<String> vectors() {
        return SpecVectors.NAMES;
    }

    @ParameterizedTest
    @MethodSource("vectors")
    void everyLayoutLineDescribesTheHexDump(String vector) {
        byte[] bytes = SpecVectors.bytes(vector);
        ByteBuffer in = Forge.le(bytes);
        List<SpecVectors.Field> fields = SpecVectors.layout(vector);
        assertFalse(fields.isEmpty());
        for (SpecVectors.Field field : fields) {
            int at = Math.toIntExact(field.offset());
            String where = vector + " layout line " + field.line() + " (" + field.name() + " at " + at + ")";
            String type = field.type();
            String value = field.value();
            switch (type) {
                case "u8" -> assertEquals(number(value), Byte.toUnsignedLong(in.get(at)), where);
                case "i8" -> assertEquals(number(value), in.get(at), where);
                case "u16" -> assertEquals(number(value), Short.toUnsignedLong(in.getShort(at)), where);
                case "u32" -> assertEquals(number(value), Integer.toUnsignedLong(in.getInt(at)), where);
                case "u64", "i64" -> assertEquals(number(value), in.getLong(at), where);
                default -> {
                    int n = Integer.parseInt(type.substring(type.indexOf('[') + 1, type.indexOf(']')));
                    byte[] actual = java.util.Arrays.copyOfRange(bytes, at, at + n);
                    if (type.startsWith("bytes[")) {
                        assertEquals(value, HexFormat.of().formatHex(actual), where);
                    } else if (type.startsWith("utf8[")) {
                        assertEquals(value, new String(actual, StandardCharsets.UTF_8), where);
                    } else if (type.startsWith("zero[")) {
                        assertArrayEquals(new byte[n], actual, where);
                    } else {
                        fail(where + ": unknown type " + type);
                    }
                }
            }
        }
    }

    @ParameterizedTest
    @MethodSource("vectors")
    void theVectorsCarryCorrectChecksums(String vector) {
        // Computed here from the spec's definitions (SHA-256 of the index, CRC-32C of header bytes 0..123),
        // not by the reader: re-sealing a valid bundle must change nothing.
        byte[] bytes = SpecVectors.bytes(vector);
        assertArrayEquals(bytes, Forge.reseal(bytes));
        assertEquals(bytes.length, Forge.le(bytes).getLong(16), "bundle_length is the file length");
    }

    @ParameterizedTest
    @MethodSource("vectors")
    void aBundleOnJimfsReadsAsDocumented(String vector) throws IOException {
        try (FileSystem fs = Jimfs.newFileSystem(Configuration.unix())) {
            Path file = fs.getPath("/" + vector + ".kmp");
            Files.write(file, SpecVectors.bytes(vector));
            checkAgainstExpectBlock(vector, file);
        }
    }

    @ParameterizedTest
    @MethodSource("vectors")
    void aBundleOnDiskReadsAsDocumented(String vector) throws IOException {
        Path file = temporary.resolve(vector + ".kmp");
        Files.write(file, SpecVectors.bytes(vector));
        checkAgainstExpectBlock(vector, file);
    }

    @Test
    void theTinyTreeIsOnlyTheSameTreeInBothVectors() {
        // The prose introduces one tree packed twice; only hello.ko's content (and so the sizes) differs.
        List<SpecVectors.ExpectedEntry> none = SpecVectors.expected("tiny-none").entries();
        List<SpecVectors.ExpectedEntry> zstd = SpecVectors.expected("tiny-zstd").entries();
        assertEquals(none.stream().map(SpecVectors.ExpectedEntry::path).toList(),
                zstd.stream().map(SpecVectors.ExpectedEntry::path).toList());
        assertEquals(List.of("", "build", "kernel", "kernel/empty.ko", "kernel/hello.ko", "kernel/link.ko"),
                none.stream().map(SpecVectors.ExpectedEntry::path).toList());
    }

    private static void checkAgainstExpectBlock(String vector, Path file) throws IOException {
        SpecVectors.Expected expected = SpecVectors.expected(vector);
        try (Bundle bundle = Bundle.open(file)) {
            BundleInfo info = bundle.info();
            assertEquals(expected.fact("kernel-version"), bundle.kernelVersion());
            assertEquals(expected.fact("format-version"), info.formatVersion());
            assertEquals(expected.fact("codec"), info.codec().label());
            assertEquals(Integer.parseInt(expected.fact("level")), info.level());
            assertEquals(Integer.parseInt(expected.fact("block-size")), info.blockSize());
            assertEquals(Integer.parseInt(expected.fact("blocks")), info.blockCount());
            assertEquals(Long.parseLong(expected.fact("data-length")), info.dataLength());
            assertEquals(Long.parseLong(expected.fact("bundle-length")), info.bundleLength());
            assertEquals(Long.parseLong(expected.fact("bundle-length")), Files.size(file));
            if (expected.facts().containsKey("layer-order")) {
                LayerSection layer = bundle.layer().orElseThrow();
                assertArrayEquals(SpecVectors.content(expected.fact("layer-order")), layer.order());
                String[] config = expected.fact("layer-config").split(" ", 2);
                assertEquals(List.of(new LayerSection.ConfigFile(config[0], new String(SpecVectors.content(config[1]),
                        StandardCharsets.UTF_8))), layer.config());
            } else {
                assertTrue(bundle.layer().isEmpty(), vector + " is not a layer");
            }
            if (expected.facts().containsKey("kernel-symbols")) {
                KernelSymbolSection symbols = bundle.kernelSymbols().orElseThrow();
                StringBuilder described = new StringBuilder(symbols.source().label());
                List<KernelSymbolSection.Symbol> all = symbols.symbols();
                for (int i = 0; i < all.size(); i++) {
                    described.append(String.format(Locale.ROOT, " %s=0x%08x", all.get(i).name(), all.get(i).crc()));
                    assertEquals(i, symbols.find(all.get(i).name()), all.get(i).name() + " is found by its name");
                }
                assertEquals(expected.fact("kernel-symbols"), described.toString());
            } else {
                assertTrue(bundle.kernelSymbols().isEmpty(), vector + " records no kernel symbols");
            }

            checkEntries(vector, bundle, bundle.entries(), expected.entries(), 0, bundle::find);
            assertEquals(!expected.firmware().isEmpty(), bundle.hasFirmware(), vector + " carries firmware");
            checkEntries(vector + " firmware", bundle, bundle.firmwareEntries(), expected.firmware(),
                    bundle.entries().size(), bundle::findFirmware);
            bundle.verifyBlocks();
            assertTrue(bundle.root().isDirectory());
        }
    }

    /** The entries of one tree, numbered from {@code first} among the bundle's, against the expect block's. */
    private static void checkEntries(String vector, Bundle bundle, List<Entry> entries,
            List<SpecVectors.ExpectedEntry> expected, int first, Function<String, Optional<Entry>> find)
            throws IOException {
        assertEquals(expected.size(), entries.size(), vector + " entry count");
        for (int i = 0; i < entries.size(); i++) {
            SpecVectors.ExpectedEntry want = expected.get(i);
            Entry got = entries.get(i);
            String where = vector + " entry " + i + " '" + want.path() + "'";
            assertEquals(first + i, got.index(), where);
            assertEquals(want.path(), got.path(), where);
            assertEquals(want.kind(), got.kind().name().toLowerCase(Locale.ROOT), where);
            assertEquals(want.mode(), got.mode(), where + " mode");
            assertEquals(want.uid(), got.uid(), where + " uid");
            assertEquals(want.gid(), got.gid(), where + " gid");
            assertEquals(FileTime.from(Instant.parse(want.mtime())), got.lastModified(), where + " mtime");
            assertEquals(want.size(), got.size(), where + " size");
            assertEquals(want.inode(), got.inode(), where + " inode");
            assertEquals(want.links(), got.linkCount(), where + " link count");
            assertEquals(got, find.apply(want.path()).orElseThrow(), where + " found by its path");
            switch (got.kind()) {
                case FILE -> assertArrayEquals(SpecVectors.content(want.rest().get("content")),
                        bundle.readAllBytes(got), where + " content");
                case SYMLINK -> assertEquals(want.rest().get("target"), got.symlinkTarget(), where + " target");
                case DIRECTORY -> assertEquals(Integer.parseInt(want.rest().get("children")),
                        bundle.list(got).size(), where + " children");
            }
        }
    }

    private static long number(String value) {
        if (value.startsWith("0o")) {
            return Long.parseLong(value.substring(2), 8);
        }
        if (value.startsWith("0x")) {
            return Long.parseUnsignedLong(value.substring(2), 16);
        }
        return Long.parseLong(value);
    }
}
