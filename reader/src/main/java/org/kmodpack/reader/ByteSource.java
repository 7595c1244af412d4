package org.kmodpack.reader;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import org.kmodpack.format.Sha256;

/**
 * Positional reads of the bundle file, safe from many threads: a read-only mapping where the file system
 * offers one (zero system calls per block), otherwise positional channel reads (Jimfs, huge files).
 */
abstract sealed class ByteSource implements AutoCloseable {

    static ByteSource open(FileChannel channel, long length) {
        if (length <= Integer.MAX_VALUE) {
            try {
                return new Mapped(channel, channel.map(FileChannel.MapMode.READ_ONLY, 0, length));
            } catch (UnsupportedOperationException | IOException e) {
                // Not every file system maps files (Jimfs does not); positional reads work everywhere.
            }
        }
        return new Positional(channel);
    }

    /** Copies {@code length} bytes at {@code position} into a new array. */
    abstract byte[] read(long position, int length) throws IOException;

    /** The SHA-256 of {@code length} bytes at {@code position}, without keeping them. */
    abstract byte[] sha256(long position, int length) throws IOException;

    @Override
    public abstract void close() throws IOException;

    private static final class Mapped extends ByteSource {
        private final FileChannel channel;
        private final MappedByteBuffer map;

        Mapped(FileChannel channel, MappedByteBuffer map) {
            this.channel = channel;
            this.map = map;
        }

        @Override
        byte[] read(long position, int length) {
            byte[] out = new byte[length];
            map.get((int) position, out);
            return out;
        }

        @Override
        byte[] sha256(long position, int length) {
            return Sha256.of(map.slice((int) position, length));
        }

        @Override
        public void close() throws IOException {
            channel.close();
        }
    }

    private static final class Positional extends ByteSource {
        private final FileChannel channel;

        Positional(FileChannel channel) {
            this.channel = channel;
        }

        @Override
        byte[] read(long position, int length) throws IOException {
            ByteBuffer out = ByteBuffer.allocate(length);
            while (out.hasRemaining()) {
                int n = channel.read(out, position + out.position());
                if (n < 0) {
                    throw new EOFException("bundle ended at " + (position + out.position()) + " while reading "
                            + length + " bytes at " + position);
                }
            }
            return out.array();
        }

        @Override
        byte[] sha256(long position, int length) throws IOException {
            return Sha256.of(read(position, length));
        }

        @Override
        public void close() throws IOException {
            channel.close();
        }
    }
}
