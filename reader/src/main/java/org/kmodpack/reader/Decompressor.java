package org.kmodpack.reader;

import com.github.luben.zstd.Zstd;
import com.github.luben.zstd.ZstdException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import org.kmodpack.format.Codec;
import org.tukaani.xz.LZMA2InputStream;
import org.tukaani.xz.MemoryLimitException;
import org.tukaani.xz.XZInputStream;

/**
 * Turns a verified block's stored bytes back into exactly its content size, or says why it cannot. Memory is
 * bounded by the block, not by what the stream declares: a signed bundle's key holder, or anyone when the
 * bundle is unsigned, chooses those bytes, and the mount daemon decodes them inside a small heap.
 */
final class Decompressor {
    /** Why a block's stored bytes do not give its content. */
    static final class Undecodable extends Exception {
        Undecodable(String reason) {
            super(reason, null, false, false);
        }
    }

    /** zstd's smallest window: any frame may declare at least this much, whatever its content size. */
    private static final int ZSTD_MIN_WINDOW = 1 << 10;
    private static final int ZSTD_MAGIC = 0xFD2FB528;

    private Decompressor() {
    }

    static byte[] decompress(Codec codec, byte[] stored, int contentSize) throws Undecodable, IOException {
        return switch (codec) {
            case NONE -> {
                if (stored.length != contentSize) {
                    throw new Undecodable(stored.length + " stored bytes for " + contentSize + " bytes of content");
                }
                yield stored;
            }
            case ZSTD -> zstd(stored, contentSize);
            case XZ -> xz(stored, contentSize);
        };
    }

    /**
     * The dictionary an LZMA2 stream may declare for this much content: more can never be referenced. The
     * property byte encodes only 2^n or 3 * 2^(n-1) bytes, so a writer's max(4096, content size) is declared
     * rounded up to the next such size.
     */
    static int xzDictionaryBound(int contentSize) {
        int size = Math.max(4096, contentSize);
        int power = Integer.highestOneBit(size);
        if (size == power) {
            return size;
        }
        return size <= power + power / 2 ? power + power / 2 : 2 * power;
    }

    /** The window a zstd frame may declare for this much content. */
    static long zstdWindowBound(int contentSize) {
        return Math.max(ZSTD_MIN_WINDOW, contentSize);
    }

    /**
     * One-shot decoding into the content buffer, which is the window: zstd then allocates no window of its own,
     * only its fixed decompression context. The declared window is checked all the same, so that a frame the
     * writer could not have made for this block is refused for what it is.
     */
    private static byte[] zstd(byte[] stored, int contentSize) throws Undecodable {
        long window = zstdDeclaredWindow(stored);
        if (window > zstdWindowBound(contentSize)) {
            throw new Undecodable("the zstd frame declares a " + window + "-byte window for " + contentSize
                    + " bytes of content");
        }
        byte[] out = new byte[contentSize];
        long n;
        try {
            n = Zstd.decompressByteArray(out, 0, contentSize, stored, 0, stored.length);
        } catch (ZstdException e) {
            throw new Undecodable("zstd: " + e.getMessage());
        }
        if (n != contentSize) {
            throw new Undecodable("zstd gives " + n + " bytes");
        }
        return out;
    }

    /** The window of the first frame (RFC 8878, 3.1.1.1), or -1 when it is not a zstd frame (e.g. skippable). */
    private static long zstdDeclaredWindow(byte[] stored) throws Undecodable {
        if (stored.length < 6 || littleEndianInt(stored, 0) != ZSTD_MAGIC) {
            return -1;
        }
        int descriptor = stored[4] & 0xFF;
        boolean singleSegment = (descriptor & 0x20) != 0;
        if (!singleSegment) {
            int windowDescriptor = stored[5] & 0xFF;
            long base = 1L << (10 + (windowDescriptor >>> 3));
            return base + (base / 8) * (windowDescriptor & 7);
        }
        // A single-segment frame's window is its content size, stored after the optional dictionary id.
        int sizeBytes = switch (descriptor >>> 6) {
            case 0 -> 1;
            case 1 -> 2;
            case 2 -> 4;
            default -> 8;
        };
        int at = 5 + new int[] {0, 1, 2, 4}[descriptor & 3];
        if (stored.length < at + sizeBytes) {
            throw new Undecodable("the zstd frame header is truncated");
        }
        long size = 0;
        for (int i = sizeBytes - 1; i >= 0; i--) {
            size = (size << 8) | (stored[at + i] & 0xFF);
        }
        return sizeBytes == 2 ? size + 256 : size;
    }

    /**
     * XZ for Java checks each block's declared dictionary against the limit before it allocates it: the limit
     * is what a dictionary of {@link #xzDictionaryBound} costs, so a stream declaring more is refused unread.
     */
    private static byte[] xz(byte[] stored, int contentSize) throws Undecodable, IOException {
        int limitKiB = LZMA2InputStream.getMemoryUsage(xzDictionaryBound(contentSize));
        byte[] out = new byte[contentSize];
        try (InputStream in = new XZInputStream(new ByteArrayInputStream(stored), limitKiB)) {
            int n = in.readNBytes(out, 0, contentSize);
            if (n != contentSize) {
                throw new Undecodable("xz gives " + n + " bytes");
            }
            if (in.read() >= 0) {
                throw new Undecodable("xz gives more bytes");
            }
            return out;
        } catch (MemoryLimitException e) {
            throw new Undecodable("the xz stream needs " + e.getMemoryNeeded() + " KiB to decode (its LZMA2 "
                    + "dictionary), more than " + limitKiB + " KiB for " + contentSize + " bytes of content");
        } catch (org.tukaani.xz.XZIOException | java.io.EOFException e) {
            throw new Undecodable("xz: " + e.getMessage());
        }
    }

    private static int littleEndianInt(byte[] bytes, int at) {
        return (bytes[at] & 0xFF) | (bytes[at + 1] & 0xFF) << 8 | (bytes[at + 2] & 0xFF) << 16
                | (bytes[at + 3] & 0xFF) << 24;
    }
}
