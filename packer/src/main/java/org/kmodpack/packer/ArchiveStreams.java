package org.kmodpack.packer;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PushbackInputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.Arrays;
import java.util.Optional;
import org.apache.commons.compress.archivers.ar.ArArchiveEntry;
import org.apache.commons.compress.archivers.ar.ArArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;
import org.apache.commons.compress.compressors.xz.XZCompressorInputStream;
import org.apache.commons.compress.compressors.zstandard.ZstdCompressorInputStream;

/**
 * Turns an archive's bytes into the tar stream that holds its tree: a Debian package's data.tar member, or a
 * tar, plain or compressed with xz, zstd or gzip, recognised by their magic numbers rather than by file names.
 */
final class ArchiveStreams {
    /** xz dictionaries above this are refused (Debian's packages use 8 MiB; xz -9 uses 64 MiB). */
    static final int XZ_MEMORY_LIMIT_KIB = 128 << 10;
    private static final byte[] XZ = {(byte) 0xfd, '7', 'z', 'X', 'Z', 0};
    private static final byte[] ZSTD = {0x28, (byte) 0xb5, 0x2f, (byte) 0xfd};
    private static final byte[] GZIP = {0x1f, (byte) 0x8b};
    private static final int AR_MAGIC_LENGTH = 8;
    private static final int AR_HEADER_LENGTH = 60;
    private static final int TAR_PEEK = 512;

    /** The tar bytes, and what errors call their source: the archive, and in a package its data member. */
    record TarStream(InputStream tar, String label) {
    }

    private ArchiveStreams() {
    }

    /**
     * {@link InputStream#read()} for the streams here that keep their state in the array read: the one byte
     * goes through {@code in.read(byte[], int, int)} like every other.
     */
    static int readOneByte(InputStream in) throws IOException {
        byte[] one = new byte[1];
        return in.read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    /**
     * The tar stream of the archive {@code name}. {@code file}, when the archive is a file, lets an xz member
     * be decoded block by block on {@code threads} threads; null for a pipe.
     */
    static TarStream open(String name, InputStream raw, FileChannel file, int threads) throws IOException {
        BufferedInputStream in = new BufferedInputStream(raw, 1 << 16);
        byte[] magic = peek(in, AR_MAGIC_LENGTH);
        if (ArArchiveInputStream.matches(magic, magic.length)) {
            return packageData(name, in, file, threads);
        }
        return new TarStream(decoded(name, in, file, 0, file == null ? -1 : file.size(), threads), name);
    }

    /** A .deb is an ar archive of debian-binary, control.tar.* and data.tar.*: the tree is in the last. */
    private static TarStream packageData(String name, InputStream in, FileChannel file, int threads)
            throws IOException {
        ArArchiveInputStream ar = new ArArchiveInputStream(in);
        long position = AR_MAGIC_LENGTH;
        try {
            for (ArArchiveEntry entry; (entry = ar.getNextEntry()) != null; ) {
                long dataOffset = position + AR_HEADER_LENGTH;
                position = dataOffset + entry.getLength() + (entry.getLength() & 1);
                if (entry.getName().startsWith("data.tar")) {
                    String label = name + ": " + entry.getName();
                    return new TarStream(decoded(label, new BufferedInputStream(ar, 1 << 16), file, dataOffset,
                            entry.getLength(), threads), label);
                }
            }
        } catch (IOException damaged) {
            throw new IOException(name + ": truncated or corrupt Debian package (" + damaged.getMessage() + ")",
                    damaged);
        }
        throw new IOException(name + ": a Debian package without a data.tar member; name a kernel image package");
    }

    /**
     * The decoded bytes of {@code in}, which starts at {@code offset} of {@code file} (when not null) and is
     * {@code length} bytes long there; checked to be a tar.
     */
    private static InputStream decoded(String label, BufferedInputStream in, FileChannel file, long offset,
            long length, int threads) throws IOException {
        byte[] magic = peek(in, XZ.length);
        InputStream decoded;
        try {
            if (startsWith(magic, XZ)) {
                Optional<InputStream> blockwise = file != null && startsWith(readAt(file, offset, XZ.length), XZ)
                        ? ParallelXzInputStream.open(file, offset, length, XZ_MEMORY_LIMIT_KIB, threads)
                        : Optional.empty();
                decoded = blockwise.isPresent() ? blockwise.get()
                        : new XZCompressorInputStream(in, true, XZ_MEMORY_LIMIT_KIB);
            } else if (startsWith(magic, ZSTD)) {
                decoded = new ZstdCompressorInputStream(in);
            } else if (startsWith(magic, GZIP)) {
                decoded = new GzipCompressorInputStream(in, true);
            } else {
                decoded = in;
            }
        } catch (IOException damaged) {
            throw new IOException(label + ": truncated or corrupt (" + damaged.getMessage() + ")", damaged);
        }
        // Blocks decoded ahead are arrays already: the tar reads them with no buffer in between.
        PushbackInputStream tar = new PushbackInputStream(decoded instanceof ParallelXzInputStream ? decoded
                : new BufferedInputStream(decoded, 1 << 16), TAR_PEEK);
        byte[] header;
        try {
            header = tar.readNBytes(TAR_PEEK);
            tar.unread(header);
        } catch (IOException damaged) {
            throw new IOException(label + ": truncated or corrupt (" + damaged.getMessage() + ")", damaged);
        }
        if (!TarArchiveInputStream.matches(header, header.length)) {
            throw new IOException(label + ": not a Debian package or a tar archive (plain, xz, zstd or gzip); "
                    + "name a kernel package (.deb), a tar of a module tree, or a module directory");
        }
        return tar;
    }

    private static byte[] peek(BufferedInputStream in, int count) throws IOException {
        in.mark(count);
        byte[] bytes = in.readNBytes(count);
        in.reset();
        return bytes;
    }

    private static byte[] readAt(FileChannel file, long offset, int count) throws IOException {
        ByteBuffer bytes = ByteBuffer.allocate(count);
        while (bytes.hasRemaining() && file.read(bytes, offset + bytes.position()) > 0) {
            // a short file gives what it has
        }
        return Arrays.copyOf(bytes.array(), bytes.position());
    }

    private static boolean startsWith(byte[] bytes, byte[] prefix) {
        return bytes.length >= prefix.length && Arrays.equals(bytes, 0, prefix.length, prefix, 0, prefix.length);
    }
}
