package org.kmodpack.reader;

import com.github.luben.zstd.Zstd;
import com.github.luben.zstd.ZstdException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import org.kmodpack.format.Codec;
import org.tukaani.xz.XZInputStream;

/** Turns a verified block's stored bytes back into exactly its content size, or says why it cannot. */
final class Decompressor {
    /** LZMA2 dictionaries of a 64 MiB block fit; a hostile stream asking for more is refused, not obeyed. */
    private static final int XZ_MEMORY_LIMIT_KIB = 160 * 1024;

    private Decompressor() {
    }

    /** Returns the content, or null if the stored bytes do not decode to exactly {@code contentSize} bytes. */
    static byte[] decompress(Codec codec, byte[] stored, int contentSize) throws IOException {
        return switch (codec) {
            case NONE -> stored.length == contentSize ? stored : null;
            case ZSTD -> zstd(stored, contentSize);
            case XZ -> xz(stored, contentSize);
        };
    }

    private static byte[] zstd(byte[] stored, int contentSize) {
        byte[] out = new byte[contentSize];
        try {
            long n = Zstd.decompressByteArray(out, 0, contentSize, stored, 0, stored.length);
            return n == contentSize ? out : null;
        } catch (ZstdException e) {
            return null;
        }
    }

    private static byte[] xz(byte[] stored, int contentSize) throws IOException {
        byte[] out = new byte[contentSize];
        try (InputStream in = new XZInputStream(new ByteArrayInputStream(stored), XZ_MEMORY_LIMIT_KIB)) {
            int n = in.readNBytes(out, 0, contentSize);
            return n == contentSize && in.read() < 0 ? out : null;
        } catch (org.tukaani.xz.XZIOException | java.io.EOFException e) {
            return null;
        }
    }
}
