package org.kmodpack.format;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.kmodpack.format.HostileBundles.concat;
import static org.kmodpack.format.HostileBundles.open;
import static org.kmodpack.format.HostileBundles.readsLike;
import static org.kmodpack.format.HostileBundles.refused;

import com.google.common.jimfs.Configuration;
import com.google.common.jimfs.Jimfs;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.kmodpack.reader.Bundle;
import org.kmodpack.reader.Entry;
import org.kmodpack.testkernels.Figure;
import org.kmodpack.testkernels.Figures;
import org.kmodpack.testkernels.SpecVectors;

/**
 * Damaged and malicious bundles, each made from the tiny-none vector of spec/FORMAT.md. Every one must be
 * refused with a CorruptBundleException (or subclass) naming the bundle and the problem, by the open or
 * by the read that touches the damage: never another exception, a hang, or success.
 *
 * <p>Most cases are re-sealed ({@link Forge#reseal}: index SHA-256 and header CRC-32C recomputed after the
 * patch). That models an attacker who controls every byte, and it is the only way to reach the checks
 * behind the checksums; without it every index patch would stop at "index fails its SHA-256 check".
 */
@ExtendWith(Figures.class)
class HostileBundleTest {
    static final Figure OPENED = HostileBundles.OPENED;

    // Entry indices of the tiny tree, in index order.
    static final int ROOT = 0;
    static final int BUILD = 1;
    static final int KERNEL = 2;
    static final int EMPTY = 3;
    static final int HELLO = 4;
    static final int LINK = 5;
    // Field offsets within a 64-byte ENTRIES row and a 48-byte BLOCKS row.
    static final int NAME_OFFSET = 0;
    static final int NAME_LENGTH = 4;
    static final int KIND = 6;
    static final int PARENT = 8;
    static final int MODE = 12;
    static final int MTIME = 24;
    static final int NANOS = 32;
    static final int INODE = 36;
    static final int SIZE = 40;
    static final int REF = 48;
    static final int BLOCK_OFFSET = 0;
    static final int STORED_LENGTH = 8;
    static final int BLOCK_CODEC = 12;

    final byte[] none = SpecVectors.bytes("tiny-none");
    final int indexOffset = (int) Forge.indexOffset(none);
    final FileSystem fs = Jimfs.newFileSystem(Configuration.unix());
    final Path file = fs.getPath("/bundles/hostile.kmp");
    final Path original = fs.getPath("/bundles/original.kmp");

    HostileBundleTest() throws IOException {
        Files.createDirectories(file.getParent());
    }

    @AfterEach
    void closeFileSystem() throws IOException {
        fs.close();
    }

    static byte[] edited(byte[] bytes, Consumer<ByteBuffer> edit) {
        byte[] copy = bytes.clone();
        edit.accept(Forge.le(copy));
        return copy;
    }

    /** The vector with {@code edit} applied and then re-sealed. */
    byte[] sealed(Consumer<ByteBuffer> edit) {
        return Forge.reseal(edited(none, edit));
    }

    int entry(int i) {
        return Forge.entry(none, i);
    }

    int block(int i) {
        return Forge.block(none, i);
    }

    int descriptor(int i) {
        return indexOffset + 8 + 24 * i;
    }

    byte[] namesSection() {
        return Forge.sections(none).stream().filter(s -> s.type() == Forge.NAMES).findFirst().orElseThrow().body();
    }

    /** The vector with entry {@code i} renamed to {@code name}, whose bytes are appended to NAMES. */
    byte[] renamed(int i, byte[] name) {
        byte[] names = namesSection();
        byte[] bytes = Forge.withSectionBody(none, Forge.NAMES, concat(names, name));
        int at = Forge.entry(bytes, i);
        Forge.le(bytes).putInt(at + NAME_OFFSET, names.length).putShort(at + NAME_LENGTH, (short) name.length);
        return Forge.reseal(bytes);
    }

    byte[] renamed(int i, String name) {
        return renamed(i, name.getBytes(StandardCharsets.UTF_8));
    }

    /** The vector with the symlink's target replaced by {@code target}, appended to NAMES. */
    byte[] retargeted(byte[] target) {
        byte[] names = namesSection();
        byte[] bytes = Forge.withSectionBody(none, Forge.NAMES, concat(names, target));
        int at = Forge.entry(bytes, BUILD);
        Forge.le(bytes).putLong(at + SIZE, target.length).putLong(at + REF, names.length);
        return Forge.reseal(bytes);
    }

    @Test
    void theUnpatchedVectorOpensAndReads() throws IOException {
        // The baseline every case below departs from.
        HostileBundles.openAndReadEverything(file, none);
    }

    @Nested
    class TruncatedOrExtended {
        @Test
        void truncatedAtEveryByteOfTheHeader() {
            for (int length = 0; length < Forge.HEADER_SIZE; length++) {
                refused(file, Arrays.copyOf(none, length), "bytes, shorter than the 128-byte header");
            }
        }

        @Test
        void truncatedAtEverySectionBoundary() {
            TreeSet<Integer> boundaries = new TreeSet<>(List.of(Forge.HEADER_SIZE, indexOffset, indexOffset + 8,
                    none.length - 1));
            for (int type = Forge.PARAMS; type <= Forge.NAMES; type++) {
                boundaries.add(Forge.sectionStart(none, type));
            }
            for (int k = 0; k < 4; k++) {
                boundaries.add(descriptor(k));
            }
            for (int length : boundaries) {
                refused(file, Arrays.copyOf(none, length), "but its header says " + none.length, "(truncated)");
            }
        }

        @Test
        void truncatedEverywhereElse() {
            for (int length = Forge.HEADER_SIZE; length < none.length; length++) {
                refused(file, Arrays.copyOf(none, length), "(truncated)");
            }
        }

        @Test
        void oneByteAppended() {
            refused(file, concat(none, new byte[] {0}), "bytes appended");
        }

        @Test
        void bytesAppendedAndTheLengthFieldUpdated() {
            // The length now matches, but an unsigned bundle's index must end the file.
            byte[] bytes = concat(none, new byte[8]);
            Forge.le(bytes).putLong(16, bytes.length);
            refused(file, Forge.reseal(bytes), "8 bytes follow the index where nothing may");
        }
    }

    @Nested
    class Header {
        @Test
        void wrongMagic() {
            refused(file, edited(none, b -> b.put(0, (byte) 0x88)), "wrong magic number");
            refused(file, edited(none, b -> b.put(1, (byte) 'k')), "wrong magic number");
            refused(file, edited(none, b -> b.put(4, (byte) '\n')), "wrong magic number");
        }

        @Test
        void unknownMajorVersionIsUnsupported() {
            refused(UnsupportedBundleException.class, file, sealed(b -> b.putShort(8, (short) 2)),
                    "format version 2.0", "upgrade kmodpack");
            refused(UnsupportedBundleException.class, file, sealed(b -> b.putShort(8, (short) 0)),
                    "format version 0.0");
        }

        @Test
        void higherMinorVersionIsRead() throws IOException {
            byte[] bytes = sealed(b -> b.putShort(10, (short) 7));
            readsLike(file, bytes, original, none);
            try (Bundle bundle = open(file, bytes)) {
                assertEquals("1.7", bundle.info().formatVersion());
            }
        }

        @Test
        void headerChecksumMismatch() {
            refused(file, edited(none, b -> b.put(100, (byte) 1)), "header checksum mismatch");
            refused(file, edited(none, b -> b.putInt(124, b.getInt(124) ^ 1)), "header checksum mismatch");
        }

        @Test
        void headerSizeFlagsAndReservedBytes() {
            refused(file, sealed(b -> b.putInt(12, 64)), "header size field is 64");
            refused(UnsupportedBundleException.class, file, sealed(b -> b.putInt(88, 1)), "header flags 0x1");
            for (int at = 92; at < 124; at += 31) {
                int reserved = at;
                refused(file, sealed(b -> b.put(reserved, (byte) 0x80)), "reserved header byte " + at);
            }
        }

        @Test
        void indexBeyondTheFile() {
            long length = none.length;
            long[][] offsetAndLength = {
                {indexOffset, length}, {length, 1}, {1L << 40, 620}, {Long.MIN_VALUE, 620}, {0, 620},
                {Forge.HEADER_SIZE - 1, 620}, {indexOffset, 0}, {indexOffset, -1}, {indexOffset, (1L << 30) + 1},
                {indexOffset, Long.MAX_VALUE}, {Long.MAX_VALUE, Long.MAX_VALUE}};
            for (long[] bad : offsetAndLength) {
                refused(file, sealed(b -> b.putLong(24, bad[0]).putLong(32, bad[1])), "lies outside the "
                        + length + "-byte file");
            }
        }

        @Test
        void indexShorterThanTheRestOfTheFile() {
            refused(file, sealed(b -> b.putLong(32, b.getLong(32) - 8)), "8 bytes follow the index");
        }

        @Test
        void indexFailsItsHash() {
            refused(file, edited(none, b -> b.put(none.length - 1, (byte) 'K')), "index fails its SHA-256 check");
            refused(file, edited(none, b -> b.put(40, (byte) (b.get(40) ^ 1))), "header checksum mismatch");
            refused(file, Forge.resealHeader(edited(none, b -> b.put(40, (byte) (b.get(40) ^ 1)))),
                    "index fails its SHA-256 check");
        }

        @Test
        void signatureBlockPlacement() throws IOException {
            // A block in the right place must still parse as a signature block (spec/FORMAT.md section 13).
            byte[] signed = concat(none, "a signature, for all 1.0 knows".getBytes(StandardCharsets.UTF_8));
            ByteBuffer header = Forge.le(signed);
            header.putLong(16, signed.length).putLong(72, none.length).putLong(80, signed.length - none.length);
            refused(file, Forge.reseal(signed), "the signature block does not start with its magic number");

            long sigLength = signed.length - none.length;
            long[][] wrong = {{0, sigLength}, {none.length, 0}, {none.length - 1, sigLength},
                {none.length, sigLength - 1}, {none.length, -sigLength}, {1L << 40, sigLength}};
            for (long[] fields : wrong) {
                byte[] bytes = signed.clone();
                Forge.le(bytes).putLong(72, fields[0]).putLong(80, fields[1]);
                refused(file, Forge.reseal(bytes), "signature block");
            }
            refused(file, sealed(b -> b.putLong(80, 5)), "signature block at 0 length 5");
        }
    }

    @Nested
    class SectionTable {
        @Test
        void wrongIndexMagic() {
            refused(file, sealed(b -> b.put(indexOffset, (byte) 'k')), "index does not start with its magic number");
        }

        @ParameterizedTest
        @ValueSource(ints = {0, 65, -1, Integer.MAX_VALUE, 26})
        void sectionCountOutOfRange(int count) {
            // 26 descriptors would be 632 bytes of table: more than this 620-byte index.
            refused(file, sealed(b -> b.putInt(indexOffset + 4, count)), "section count");
        }

        @Test
        void sectionOffsetOrLengthOutsideTheIndex() {
            long[] bad = {1L << 40, -8, Long.MIN_VALUE, 112, 96};
            for (long offset : bad) {
                refused(file, sealed(b -> b.putLong(descriptor(1) + 8, offset)), "is not where the layout puts it");
            }
            for (long length : new long[] {1L << 40, -1, 45, Long.MAX_VALUE}) {
                refused(file, sealed(b -> b.putLong(descriptor(3) + 16, length)), "is not where the layout puts it");
            }
        }

        @Test
        void sectionLengthsThatShiftTheLayout() {
            // PARAMS one byte longer still aligns BLOCKS at 144, so the layout holds; PARAMS's own length
            // check (24 + kernel version length) catches it.
            refused(file, sealed(b -> b.putLong(descriptor(0) + 16, 35)), "PARAMS section length 35");
            // PARAMS 11 bytes longer moves the aligned start of BLOCKS to 152.
            refused(file, sealed(b -> b.putLong(descriptor(0) + 16, 45)), "is not where the layout puts it");
        }

        @Test
        void duplicateSectionType() {
            refused(file, sealed(b -> b.putInt(descriptor(3), Forge.BLOCKS)), "section type 2 appears twice");
        }

        @Test
        void unknownSectionFlags() {
            refused(UnsupportedBundleException.class, file, sealed(b -> b.putInt(descriptor(2) + 4, 3)),
                    "section 3 has flags 0x3");
        }

        @Test
        void nonZeroPadding() {
            int paramsEnd = Forge.sectionStart(none, Forge.PARAMS) + 34;
            refused(file, sealed(b -> b.put(paramsEnd, (byte) 1)), "padding after section 1 is not zero");
        }

        @Test
        void bytesAfterTheLastSection() {
            byte[] index = concat(Forge.encodeIndex(Forge.sections(none)), new byte[8]);
            refused(file, Forge.assemble(Arrays.copyOf(none, 128), Arrays.copyOfRange(none, 128, indexOffset), index),
                    "8 bytes at the end of the index belong to no section");
        }

        @Test
        void missingKnownSection() {
            // NAMES relabelled as an unknown optional section: skipped, and then NAMES is missing.
            refused(file, sealed(b -> b.putInt(descriptor(3), 99).putInt(descriptor(3) + 4, 0)),
                    "index has no section of type 4");
        }

        @Test
        void unknownRequiredSectionIsRefused() {
            List<Forge.Section> sections = new ArrayList<>(Forge.sections(none));
            sections.add(new Forge.Section(99, Forge.REQUIRED, "from the future".getBytes(StandardCharsets.UTF_8)));
            refused(UnsupportedBundleException.class, file, Forge.withSections(none, sections),
                    "required section type 99");
        }

        @Test
        void unknownOptionalSectionsAreSkipped() throws IOException {
            // One in the middle (its odd length makes the next section's padding matter) and one at the end.
            List<Forge.Section> sections = new ArrayList<>(Forge.sections(none));
            sections.add(2, new Forge.Section(77, 0, "odd-length".getBytes(StandardCharsets.UTF_8)));
            sections.add(new Forge.Section(-5, 0, new byte[0]));
            readsLike(file, Forge.withSections(none, sections), original, none);
        }

        @Test
        void knownSectionsInAnotherTableOrderAndWithoutTheRequiredFlag() throws IOException {
            List<Forge.Section> sections = new ArrayList<>(Forge.sections(none));
            java.util.Collections.reverse(sections);
            sections.replaceAll(s -> new Forge.Section(s.type(), 0, s.body()));
            readsLike(file, Forge.withSections(none, sections), original, none);
        }
    }

    @Nested
    class Params {
        final int params = Forge.sectionStart(none, Forge.PARAMS);

        @ParameterizedTest
        @ValueSource(ints = {0, 1000, 2048, 4097, 1 << 27, Integer.MIN_VALUE, -4096})
        void blockSizeNotAPowerOfTwoInRange(int blockSize) {
            refused(file, sealed(b -> b.putInt(params, blockSize)), "is not a power of two between 4096 and");
        }

        @Test
        void blockCountThatCannotHoldTheData() {
            refused(file, sealed(b -> b.putInt(params + 4, 2)), "2 blocks of 4096 bytes cannot hold 6 bytes");
            refused(file, sealed(b -> b.putInt(params + 4, -1)), "cannot hold");
            refused(file, sealed(b -> b.putLong(params + 8, -1)), "cannot hold -1 bytes");
            refused(file, sealed(b -> b.putLong(params + 8, Long.MAX_VALUE)), "cannot hold");
            refused(file, sealed(b -> b.putLong(params + 8, 4097)), "cannot hold 4097 bytes");
        }

        @Test
        void dataLengthThatDisagreesWithTheBlock() {
            // 7 bytes still need one block, but block 0's raw content would then be 7 bytes, not 6.
            refused(file, sealed(b -> b.putLong(params + 8, 7)), "block 0 at 128 with 6 stored bytes");
        }

        @Test
        void entryCountOutOfRangeOrDisagreeingWithEntries() {
            refused(file, sealed(b -> b.putInt(params + 16, 0)), "entry count 0 is out of range");
            refused(file, sealed(b -> b.putInt(params + 16, Integer.MIN_VALUE)), "entry count 2147483648");
            refused(file, sealed(b -> b.putInt(params + 16, 7)), "ENTRIES section is 384 bytes but PARAMS announces 7");
            refused(file, sealed(b -> b.putInt(params + 16, Integer.MAX_VALUE)), "PARAMS announces 2147483647");
        }

        @Test
        void unknownCodec() {
            refused(UnsupportedBundleException.class, file, sealed(b -> b.put(params + 20, (byte) 9)), "codec id 9");
        }

        @Test
        void kernelVersionIsAName() {
            for (String version : new String[] {"6.1/../x", "..", ".", "6.1\0"}) {
                byte[] bytes = version.getBytes(StandardCharsets.UTF_8);
                ByteBuffer body = Forge.le(new byte[24 + bytes.length]);
                body.put(Arrays.copyOf(Forge.sections(none).get(0).body(), 22)).putShort((short) bytes.length)
                        .put(bytes);
                refused(file, Forge.withSectionBody(none, Forge.PARAMS, body.array()), "is not a valid directory name");
            }
        }

        @Test
        void kernelVersionLengthAndSectionLength() {
            refused(file, sealed(b -> b.putShort(params + 22, (short) 9)), "PARAMS section length 34 does not match");
            refused(file, sealed(b -> b.putShort(params + 22, (short) 0)), "kernel version length 0");
            refused(file, Forge.withSectionBody(none, Forge.PARAMS, new byte[10]), "PARAMS section is 10 bytes, too short");
            byte[] invalid = Forge.sections(none).get(0).body().clone();
            invalid[24] = (byte) 0xC0;
            refused(file, Forge.withSectionBody(none, Forge.PARAMS, invalid), "kernel version is not valid UTF-8");
        }
    }

    @Nested
    class Blocks {
        @Test
        void storedLengthBeyondTheDataArea() {
            for (int stored : new int[] {0xFFFFFFFF, 0x80000000, 0x7FFFFFFF, 7, 5, 0}) {
                refused(file, sealed(b -> b.putInt(block(0) + STORED_LENGTH, stored)),
                        "block 0 at 128 with " + Integer.toUnsignedString(stored) + " stored bytes");
            }
        }

        @Test
        void blockOffsetOutOfPlace() {
            // The stored length is a u32, so 2^40 can only be written into the offset.
            for (long offset : new long[] {1L << 40, -1, 0, 129, Long.MIN_VALUE}) {
                refused(file, sealed(b -> b.putLong(block(0) + BLOCK_OFFSET, offset)), "block 0 at " + offset);
            }
        }

        @Test
        void rawBlockRelabelledCompressed() {
            // A compressed block must be strictly smaller than its content; this one is exactly its size.
            refused(file, sealed(b -> b.put(block(0) + BLOCK_CODEC, (byte) 1)), "(zstd, 6 bytes of content)");
        }

        @Test
        void unknownBlockCodecAndReservedBytes() {
            refused(UnsupportedBundleException.class, file, sealed(b -> b.put(block(0) + BLOCK_CODEC, (byte) 3)),
                    "block 0 uses codec id 3");
            refused(file, sealed(b -> b.put(block(0) + 14, (byte) 1)), "reserved bytes of block 0 are not zero");
        }

        @Test
        void blocksSectionLengthDisagreesWithParams() {
            byte[] body = Forge.sections(none).get(1).body();
            refused(file, Forge.withSectionBody(none, Forge.BLOCKS, Arrays.copyOf(body, 47)),
                    "BLOCKS section is 47 bytes but PARAMS announces 1 blocks");
            refused(file, Forge.withSectionBody(none, Forge.BLOCKS, concat(body, body)),
                    "BLOCKS section is 96 bytes");
        }

        @Test
        void aFlippedBitInADataBlockFailsOnlyTheReadsThatTouchIt() throws IOException {
            byte[] bytes = edited(none, b -> b.put(130, (byte) (b.get(130) ^ 0x10)));
            try (Bundle bundle = open(file, bytes)) {
                Entry hello = bundle.get("kernel/hello.ko");
                BlockIntegrityException failure = assertThrows(BlockIntegrityException.class,
                        () -> bundle.readAllBytes(hello));
                assertTrue(failure.getMessage().startsWith(file + ": block 0 (holding kernel/hello.ko) fails its "
                        + "SHA-256 check"), failure.getMessage());
                // Failures are not cached as content: the next read checks the stored bytes again.
                assertThrows(BlockIntegrityException.class, () -> bundle.readAllBytes(bundle.get("kernel/link.ko")));
                assertThrows(BlockIntegrityException.class, bundle::verifyBlocks);
                assertArrayEquals(new byte[0], bundle.readAllBytes(bundle.get("kernel/empty.ko")));
                assertEquals("/usr/src/x", bundle.get("build").symlinkTarget());
                assertEquals(3, bundle.list(bundle.get("kernel")).size());
            }
        }

        @Test
        void aFlippedBitInTheMiddleBlockOfAThreeBlockFile() throws IOException {
            // Written from the spec by Forge: file "a" is stream bytes [0, 10000) in blocks 0..2, file "b"
            // is [10000, 10100) at the end of block 2.
            byte[] data = new byte[10100];
            for (int i = 0; i < data.length; i++) {
                data[i] = (byte) (i * 31 + i / 4096);
            }
            byte[] names = "ab".getBytes(StandardCharsets.US_ASCII);
            List<Forge.Row> rows = List.of(new Forge.Row(0, 0, 1, 0, 0755, 0, 0, 0, 0, 1, 2, 1),
                    new Forge.Row(0, 1, 2, 0, 0644, 0, 0, 0, 0, 2, 10000, 0),
                    new Forge.Row(1, 1, 2, 0, 0644, 0, 0, 0, 0, 3, 100, 10000));
            byte[] good = Forge.rawBundle("6.1.0-three", 4096, data, rows, names);
            try (Bundle bundle = open(file, good)) {
                assertArrayEquals(Arrays.copyOf(data, 10000), bundle.readAllBytes(bundle.get("a")));
                ByteBuffer window = ByteBuffer.allocate(200);
                assertEquals(200, bundle.read(bundle.get("a"), 4000, window));
                assertArrayEquals(Arrays.copyOfRange(data, 4000, 4200), window.array(), "across blocks 0 and 1");
            }
            byte[] damaged = edited(good, b -> b.put(128 + 5000, (byte) (b.get(128 + 5000) ^ 1)));
            try (Bundle bundle = open(file, damaged)) {
                Entry a = bundle.get("a");
                ByteBuffer first = ByteBuffer.allocate(4096);
                assertEquals(4096, bundle.read(a, 0, first), "block 0 is intact");
                ByteBuffer last = ByteBuffer.allocate(10000 - 8192);
                assertEquals(last.capacity(), bundle.read(a, 8192, last), "block 2 is intact");
                assertArrayEquals(Arrays.copyOfRange(data, 8192, 10000), last.array());
                BlockIntegrityException failure = assertThrows(BlockIntegrityException.class,
                        () -> bundle.read(a, 4095, ByteBuffer.allocate(2)));
                assertTrue(failure.getMessage().contains("block 1 (holding a)"), failure.getMessage());
                assertArrayEquals(Arrays.copyOfRange(data, 10000, 10100), bundle.readAllBytes(bundle.get("b")));
            }
        }

        @Test
        void aCompressedBlockThatDoesNotDecompressToItsContentSize() throws IOException {
            // The attacker re-hashes the damaged frame, so the damage reaches the decompressor.
            byte[] zstd = SpecVectors.bytes("tiny-zstd");
            int blockRow = Forge.block(zstd, 0);
            int stored = Forge.le(zstd).getInt(blockRow + STORED_LENGTH);
            for (int at = 128; at < 128 + stored; at++) {
                byte[] bytes = zstd.clone();
                bytes[at] ^= 0x55;
                System.arraycopy(Forge.sha256(Arrays.copyOfRange(bytes, 128, 128 + stored)), 0, bytes,
                        blockRow + 16, 32);
                byte[] sealedBytes = Forge.reseal(bytes);
                try (Bundle bundle = open(file, sealedBytes)) {
                    try {
                        // A damaged literal still decodes, to other bytes; the size must hold regardless.
                        assertEquals(384, bundle.readAllBytes(bundle.get("kernel/hello.ko")).length, "byte " + at);
                    } catch (CorruptBundleException refusal) {
                        assertTrue(refusal.getMessage().contains("does not decompress (zstd) to its 384 bytes"),
                                refusal.getMessage());
                    }
                }
            }
        }
    }

    @Nested
    class Entries {
        @ParameterizedTest
        @ValueSource(strings = {"../x", "a/b", "/abs", ".", "..", "", "a\0b"})
        void invalidNamesThatWouldSortFirst(String name) {
            // empty.ko is kernel's first child, so these names keep the children sorted.
            refused(file, renamed(EMPTY, name), "entry 3 has an invalid name");
        }

        @Test
        void invalidUtf8AndOverlongNames() {
            // link.ko is kernel's last child, so these names (bytes >= 0x80) keep the children sorted.
            byte[][] names = {{(byte) 0xFF}, {(byte) 0xC0, (byte) 0xAE}, {(byte) 0xC0, (byte) 0xAF},
                {(byte) 0xED, (byte) 0xA0, (byte) 0x80}, {(byte) 0xE2, (byte) 0x82}, {(byte) 0xF4, (byte) 0x90,
                    (byte) 0x80, (byte) 0x80}, "z".repeat(256).getBytes(StandardCharsets.US_ASCII)};
            for (byte[] name : names) {
                refused(file, renamed(LINK, name), "entry 5 has an invalid name");
            }
        }

        @Test
        void theLongestAndNonAsciiNamesAreValid() throws IOException {
            try (Bundle bundle = open(file, renamed(LINK, "z".repeat(255)))) {
                assertEquals(bundle.get("kernel/" + "z".repeat(255)).inode(), bundle.get("kernel/hello.ko").inode());
            }
            try (Bundle bundle = open(file, renamed(LINK, "µ-modül.ko"))) {
                assertTrue(bundle.find("kernel/µ-modül.ko").isPresent());
            }
        }

        @Test
        void duplicateAndUnsortedChildren() {
            refused(file, renamed(LINK, "hello.ko"), "directory kernel has children out of order or twice: 'hello.ko'");
            // Swapping the name pointers of empty.ko and hello.ko puts hello.ko first.
            byte[] swapped = sealed(b -> {
                int e = entry(EMPTY);
                int h = entry(HELLO);
                int nameOffset = b.getInt(e);
                short nameLength = b.getShort(e + NAME_LENGTH);
                b.putInt(e, b.getInt(h)).putShort(e + NAME_LENGTH, b.getShort(h + NAME_LENGTH));
                b.putInt(h, nameOffset).putShort(h + NAME_LENGTH, nameLength);
            });
            refused(file, swapped, "children out of order or twice: 'empty.ko'");
        }

        @Test
        void nameOutsideTheNamesSection() {
            refused(file, sealed(b -> b.putInt(entry(HELLO) + NAME_OFFSET, 44)), "lies outside the NAMES section");
            refused(file, sealed(b -> b.putInt(entry(HELLO) + NAME_OFFSET, -1)), "lies outside the NAMES section");
            refused(file, sealed(b -> b.putShort(entry(LINK) + NAME_LENGTH, (short) -1)),
                    "lies outside the NAMES section");
        }

        @Test
        void theRootsNameOffsetIsIgnored() throws IOException {
            // The root has no name, so the spec leaves its name_offset unread (writers put 0).
            readsLike(file, sealed(b -> b.putInt(entry(ROOT) + NAME_OFFSET, -1)), original, none);
        }

        @Test
        void theRoot() {
            refused(file, sealed(b -> b.put(entry(ROOT) + KIND, (byte) 2)), "entry 0 is not the root directory");
            refused(file, sealed(b -> b.putShort(entry(ROOT) + NAME_LENGTH, (short) 5)), "entry 0 is not the root");
            refused(file, sealed(b -> b.putInt(entry(ROOT) + PARENT, 2)), "entry 0 is not the root directory");
        }

        @Test
        void directoryChildRangeBeyondTheEntries() {
            for (long count : new long[] {4, 1L << 40, -1, Long.MIN_VALUE}) {
                refused(file, sealed(b -> b.putLong(entry(KERNEL) + SIZE, count)), "directory entry 2 claims children");
            }
            for (long first : new long[] {4, 7, 1L << 40, -3, 2, 0}) {
                refused(file, sealed(b -> b.putLong(entry(KERNEL) + REF, first)), "directory entry 2 claims children");
            }
            refused(file, sealed(b -> b.putLong(entry(ROOT) + SIZE, 6)), "directory entry 0 claims children 1..6");
            refused(file, sealed(b -> b.putLong(entry(KERNEL) + SIZE, 0).putLong(entry(KERNEL) + REF, 3)),
                    "directory entry 2 claims children");
        }

        @Test
        void entriesThatNoDirectoryClaims() {
            refused(file, sealed(b -> b.putLong(entry(KERNEL) + SIZE, 2)), "1 entries belong to no directory");
        }

        @Test
        void childNamingAnotherParent() {
            refused(file, sealed(b -> b.putInt(entry(EMPTY) + PARENT, 0)), "entry 3 lies in directory 2's children "
                    + "but names 0 as parent");
            refused(file, sealed(b -> b.putInt(entry(HELLO) + PARENT, -1)), "names 4294967295 as parent");
        }

        @Test
        void fileDataRangeBeyondTheDataStream() {
            long[][] sizeAndRef = {{7, 0}, {6, 1}, {6, 1L << 62}, {6, -1}, {Long.MAX_VALUE, 0}, {-1, 0},
                {1, Long.MAX_VALUE}, {Long.MIN_VALUE, 6}};
            for (long[] bad : sizeAndRef) {
                refused(file, sealed(b -> b.putLong(entry(HELLO) + SIZE, bad[0]).putLong(entry(HELLO) + REF, bad[1])
                        .putLong(entry(LINK) + SIZE, bad[0]).putLong(entry(LINK) + REF, bad[1])),
                        "file kernel/hello.ko claims bytes");
            }
        }

        @Test
        void symlinkTargets() {
            refused(file, sealed(b -> b.putLong(entry(BUILD) + SIZE, 0)), "symlink build has a target of 0 bytes");
            refused(file, sealed(b -> b.putLong(entry(BUILD) + SIZE, 40)), "has a target of 40 bytes at 5");
            refused(file, sealed(b -> b.putLong(entry(BUILD) + REF, 35)), "outside the NAMES section");
            refused(file, sealed(b -> b.putLong(entry(BUILD) + REF, -1)), "outside the NAMES section");
            refused(file, retargeted(new byte[4096]), "has a target of 4096 bytes");
            refused(file, retargeted("/usr\0/src".getBytes(StandardCharsets.US_ASCII)), "has a NUL in its target");
            refused(file, retargeted(new byte[] {'/', (byte) 0xFE}), "target of symlink build is not valid UTF-8");
        }

        @Test
        void symlinkTargetsAreVerbatimEvenWhenTheyLeaveTheTree() throws IOException {
            try (Bundle bundle = open(file, retargeted("../../../../etc/passwd".getBytes(StandardCharsets.US_ASCII)))) {
                assertEquals("../../../../etc/passwd", bundle.get("build").symlinkTarget());
                assertTrue(bundle.find("build/x").isEmpty(), "a lookup never passes through a symlink");
            }
        }

        @Test
        void inodesOutOfRange() {
            for (int inode : new int[] {0, 7, -1}) {
                refused(file, sealed(b -> b.putInt(entry(EMPTY) + INODE, inode)), "entry 3 has inode "
                        + Integer.toUnsignedString(inode) + " outside 1..6");
            }
        }

        @Test
        void hardLinksThatDisagree() {
            refused(file, sealed(b -> b.putInt(entry(LINK) + MODE, 0600)), "entries 4 and 5 share inode 5 but are "
                    + "not identical files");
            refused(file, sealed(b -> b.putInt(entry(LINK) + NANOS, 0)), "share inode 5");
            refused(file, sealed(b -> b.putInt(entry(EMPTY) + INODE, 3)), "entries 2 and 3 share inode 3");
            refused(file, sealed(b -> b.putInt(entry(KERNEL) + INODE, 2)), "entries 1 and 2 share inode 2");
        }

        @Test
        void modeTimeKindAndReservedBytes() {
            refused(file, sealed(b -> b.putInt(entry(HELLO) + MODE, 0100644)), "entry 4 has mode bits 0100644");
            refused(file, sealed(b -> b.putInt(entry(HELLO) + NANOS, 1_000_000_000)), "mtime nanoseconds 1000000000");
            refused(file, sealed(b -> b.putInt(entry(HELLO) + NANOS, -1)), "mtime nanoseconds 4294967295");
            refused(UnsupportedBundleException.class, file, sealed(b -> b.put(entry(HELLO) + KIND, (byte) 4)),
                    "entry 4 has kind id 4");
            refused(file, sealed(b -> b.put(entry(HELLO) + 7, (byte) 1)), "reserved bytes of entry 4 are not zero");
            refused(file, sealed(b -> b.put(entry(HELLO) + 63, (byte) 1)), "reserved bytes of entry 4 are not zero");
        }

        @Test
        void anyMtimeSecondsValueIsReadable() throws IOException {
            // The format stores mtime as any i64; one far outside java.time's range must not break the reader.
            for (long seconds : new long[] {Long.MAX_VALUE, Long.MIN_VALUE, -1}) {
                byte[] bytes = sealed(b -> b.putLong(entry(EMPTY) + MTIME, seconds));
                try (Bundle bundle = open(file, bytes)) {
                    HostileBundles.readEverything(bundle);
                    FileTime mtime = bundle.get("kernel/empty.ko").lastModified();
                    assertEquals(seconds, mtime.to(TimeUnit.SECONDS), "mtime " + seconds);
                }
            }
        }
    }

    @Nested
    class OnARealFile {
        @TempDir
        Path directory;

        @Test
        void refusalsAreTheSameWhenTheBundleIsMemoryMapped() throws IOException {
            // Bundle maps real files and reads Jimfs files positionally; the checks must not depend on that.
            Path mapped = directory.resolve("hostile.kmp");
            refused(mapped, Arrays.copyOf(none, none.length - 1), "(truncated)");
            refused(mapped, sealed(b -> b.putInt(block(0) + STORED_LENGTH, 0xFFFFFFFF)), "4294967295 stored bytes");
            refused(mapped, sealed(b -> b.putLong(entry(HELLO) + SIZE, 7).putLong(entry(LINK) + SIZE, 7)),
                    "claims bytes");
            byte[] flipped = edited(none, b -> b.put(128, (byte) 'H'));
            try (Bundle bundle = open(mapped, flipped)) {
                assertThrows(BlockIntegrityException.class, () -> bundle.readAllBytes(bundle.get("kernel/hello.ko")));
            }
        }
    }
}
