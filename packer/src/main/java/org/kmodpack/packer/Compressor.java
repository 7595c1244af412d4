package org.kmodpack.packer;

import com.github.luben.zstd.Zstd;
import com.github.luben.zstd.ZstdCompressCtx;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.kmodpack.format.Codec;
import org.tukaani.xz.LZMA2Options;
import org.tukaani.xz.UnsupportedOptionsException;
import org.tukaani.xz.XZ;
import org.tukaani.xz.XZOutputStream;

/** Compresses one block with one codec and level; one instance per worker thread. */
final class Compressor implements AutoCloseable {
    /** Measured on Debian's 6.1 tree in 1 MiB blocks: level 8 is as small as 9 and 12 within 1 %, and faster. */
    static final int ZSTD_DEFAULT_LEVEL = 8;
    static final int ZSTD_MAX_LEVEL = 19;
    static final int XZ_DEFAULT_LEVEL = 6;
    static final int XZ_MAX_LEVEL = 9;

    private final Codec codec;
    private final int level;
    private final ZstdCompressCtx zstd;

    Compressor(Codec codec, int level) {
        this.codec = codec;
        this.level = level;
        if (codec == Codec.ZSTD) {
            zstd = new ZstdCompressCtx();
            zstd.setLevel(level);
            // The block table's SHA-256 already covers the stored bytes; a frame checksum would add nothing.
            zstd.setChecksum(false);
            zstd.setContentSize(true);
        } else {
            zstd = null;
        }
    }

    /** The codec's own number for {@code requested}; 0 for no codec, whatever was asked. */
    static int resolveLevel(Codec codec, CompressionLevel requested) {
        return switch (codec) {
            case NONE -> 0;
            case ZSTD -> resolve(codec, requested, ZSTD_DEFAULT_LEVEL, ZSTD_MAX_LEVEL, 1, Zstd.maxCompressionLevel());
            case XZ -> resolve(codec, requested, XZ_DEFAULT_LEVEL, XZ_MAX_LEVEL, 0, XZ_MAX_LEVEL);
        };
    }

    private static int resolve(Codec codec, CompressionLevel requested, int byDefault, int strongest, int min,
            int max) {
        if (requested instanceof CompressionLevel.Exact exact) {
            return checkRange(codec, exact.level(), min, max);
        }
        return requested instanceof CompressionLevel.Strongest ? strongest : byDefault;
    }

    private static int checkRange(Codec codec, int level, int min, int max) {
        if (level < min || level > max) {
            throw new IllegalArgumentException(codec.label() + " level " + level + " is outside " + min + ".."
                    + max);
        }
        return level;
    }

    /** The most bytes {@link #compress} may write for a block of {@code length} bytes. */
    static int bound(int length) {
        return (int) Math.max(Zstd.compressBound(length), length);
    }

    /**
     * Encodes {@code content[0, length)} into {@code out} (at least {@link #bound} bytes) and returns the
     * encoded length, or -1 when encoding would not make the block smaller (it is then stored raw).
     */
    int compress(byte[] content, int length, byte[] out) {
        int encoded = switch (codec) {
            case NONE -> -1;
            case ZSTD -> zstd.compressByteArray(out, 0, out.length, content, 0, length);
            case XZ -> xz(content, length, out);
        };
        return encoded >= 0 && encoded < length ? encoded : -1;
    }

    @Override
    public void close() {
        if (zstd != null) {
            zstd.close();
        }
    }

    private int xz(byte[] content, int length, byte[] out) {
        try {
            LZMA2Options options = new LZMA2Options(Math.min(level, XZ_MAX_LEVEL));
            if (level == XZ_MAX_LEVEL) {
                options.setMode(LZMA2Options.MODE_NORMAL);
                options.setNiceLen(LZMA2Options.NICE_LEN_MAX);
                options.setDepthLimit(0);
            }
            // A dictionary larger than the block buys nothing and costs memory per thread.
            options.setDictSize(Math.max(LZMA2Options.DICT_SIZE_MIN, Math.min(options.getDictSize(), length)));
            ByteArrayOutputStream encoded = new ByteArrayOutputStream(length / 3);
            try (XZOutputStream xz = new XZOutputStream(encoded, options, XZ.CHECK_NONE)) {
                xz.write(content, 0, length);
            }
            // Only an encoding smaller than the block is stored, and only that fits the caller's buffer.
            if (encoded.size() >= length) {
                return -1;
            }
            byte[] bytes = encoded.toByteArray();
            System.arraycopy(bytes, 0, out, 0, bytes.length);
            return bytes.length;
        } catch (UnsupportedOptionsException e) {
            throw new IllegalArgumentException("xz level " + level + ": " + e.getMessage(), e);
        } catch (IOException e) {
            throw new UncheckedIOException("xz into memory cannot fail", e);
        }
    }
}
