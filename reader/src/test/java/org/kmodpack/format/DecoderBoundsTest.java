package org.kmodpack.format;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.luben.zstd.ZstdCompressCtx;
import com.google.common.jimfs.Configuration;
import com.google.common.jimfs.Jimfs;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.FileSystem;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.zip.CRC32;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.kmodpack.reader.Bundle;
import org.tukaani.xz.LZMA2Options;
import org.tukaani.xz.XZ;
import org.tukaani.xz.XZOutputStream;

/**
 * FORMAT.md section 7: a block's decoder needs memory for the block, whatever its stream declares. A hostile
 * xz block declaring a 128 MiB dictionary for 32 KiB of content (valid hashes: what an unsigned bundle, or a
 * trusted key's holder, can ship) is refused before the dictionary is allocated; zstd frames likewise.
 */
class DecoderBoundsTest {
    private static final int CONTENT = 32 * 1024;
    private static final int CODEC_XZ = 2;
    private static final int CODEC_ZSTD = 1;
    /** Far below the 128 MiB a dictionary as declared would take; a bundle's open and read need well under. */
    private static final long ALLOCATION_LIMIT = 8L << 20;

    private final FileSystem fs = Jimfs.newFileSystem(Configuration.unix());
    private final Path file = fs.getPath("/bounds.kmp");
    private final byte[] content = content();
    private final byte[] raw = Forge.rawBundle("6.1.0-bounds", CONTENT, content,
            List.of(new Forge.Row(0, 0, 1, 0, 0755, 0, 0, 0, 0, 1, 1, 1),
                    new Forge.Row(0, 1, 2, 0, 0644, 0, 0, 0, 0, 2, CONTENT, 0)), new byte[] {'a'});

    @AfterEach
    void closeFileSystem() throws IOException {
        fs.close();
    }

    @Test
    void anXzDictionaryLargerThanTheBlockIsRefusedBeforeItIsAllocated() throws IOException {
        byte[] honest = xz(content, CONTENT);
        assertReads(Forge.withOnlyBlock(raw, CODEC_XZ, honest), "a dictionary of the block's size");
        long allocated = allocatedBy(() -> HostileBundles.refused(file,
                Forge.withOnlyBlock(raw, CODEC_XZ, withDictionaryProperty(honest, 30)), "block 0 does not decompress (xz)",
                "the xz stream needs 131176 KiB to decode", "more than 136 KiB for 32768 bytes of content"));
        assertTrue(allocated < ALLOCATION_LIMIT, allocated + " bytes allocated to refuse a 128 MiB dictionary");
        // One step above the bound (64 KiB for 32 KiB of content) is refused too: the bound is the block.
        HostileBundles.refused(file, Forge.withOnlyBlock(raw, CODEC_XZ, withDictionaryProperty(honest, 8)),
                "the xz stream needs 168 KiB");
    }

    @Test
    void aZstdWindowLargerThanTheBlockIsRefused() throws IOException {
        byte[] honest;
        try (ZstdCompressCtx zstd = new ZstdCompressCtx()) {
            zstd.setLevel(3).setContentSize(true).setChecksum(false);
            honest = zstd.compress(content);
        }
        assertEquals(0x60, honest[4] & 0xFF, "single segment, two-byte content size: the window is the block");
        assertReads(Forge.withOnlyBlock(raw, CODEC_ZSTD, honest), "the writer's single-segment frame");
        assertReads(Forge.withOnlyBlock(raw, CODEC_ZSTD, withWindowDescriptor(honest, 5 << 3)), "a 32 KiB window");
        long allocated = allocatedBy(() -> HostileBundles.refused(file,
                Forge.withOnlyBlock(raw, CODEC_ZSTD, withWindowDescriptor(honest, 21 << 3)), "block 0 does not decompress "
                        + "(zstd)", "the zstd frame declares a 2147483648-byte window for 32768 bytes of content"));
        assertTrue(allocated < ALLOCATION_LIMIT, allocated + " bytes allocated");
        HostileBundles.refused(file, Forge.withOnlyBlock(raw, CODEC_ZSTD, withWindowDescriptor(honest, (5 << 3) | 1)),
                "36864-byte window");
    }

    private void assertReads(byte[] bundleBytes, String what) throws IOException {
        try (Bundle bundle = HostileBundles.open(file, bundleBytes)) {
            assertArrayEquals(content, bundle.readAllBytes(bundle.get("a")), what);
        }
    }

    private interface Action {
        void run() throws IOException;
    }

    private static long allocatedBy(Action action) throws IOException {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long before = threads.getCurrentThreadAllocatedBytes();
        action.run();
        return threads.getCurrentThreadAllocatedBytes() - before;
    }

    private static byte[] content() {
        Random random = new Random(18);
        StringBuilder text = new StringBuilder();
        while (text.length() < CONTENT) {
            text.append("alias=pci:v").append(Integer.toHexString(random.nextInt())).append('\n');
        }
        return text.substring(0, CONTENT).getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    }

    private static byte[] xz(byte[] bytes, int dictionary) throws IOException {
        LZMA2Options options = new LZMA2Options(6);
        options.setDictSize(dictionary);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (XZOutputStream xz = new XZOutputStream(out, options, XZ.CHECK_NONE)) {
            xz.write(bytes);
        }
        return out.toByteArray();
    }

    /**
     * The stream with its block header's LZMA2 dictionary property set to {@code property} (size
     * {@code (2 | (property & 1)) << (property / 2 + 11)}) and the header's CRC-32 fixed: a stream any xz
     * encoder could have written with that dictionary, since a decoder cannot tell.
     */
    private static byte[] withDictionaryProperty(byte[] stream, int property) {
        byte[] bytes = stream.clone();
        int header = 12;
        int headerSize = ((bytes[header] & 0xFF) + 1) * 4;
        assertEquals(0, bytes[header + 1], "one filter, no sizes in the block header");
        assertEquals(0x21, bytes[header + 2], "LZMA2");
        assertEquals(1, bytes[header + 3], "one property byte");
        bytes[header + 4] = (byte) property;
        CRC32 crc = new CRC32();
        crc.update(bytes, header, headerSize - 4);
        Forge.le(bytes).putInt(header + headerSize - 4, (int) crc.getValue());
        return bytes;
    }

    /** The single-segment frame turned into one with a Window_Descriptor byte, its content size kept. */
    private static byte[] withWindowDescriptor(byte[] frame, int descriptor) {
        byte[] bytes = new byte[frame.length + 1];
        System.arraycopy(frame, 0, bytes, 0, 4);
        bytes[4] = (byte) (frame[4] & ~0x20);
        bytes[5] = (byte) descriptor;
        System.arraycopy(frame, 5, bytes, 6, frame.length - 5);
        return bytes;
    }
}
