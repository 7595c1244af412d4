package org.kmodpack.reader;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;

/**
 * A bundle file: a read-only mapping where the file system offers one (zero system calls per block), otherwise
 * positional channel reads (Jimfs, files too large for one mapping).
 */
abstract sealed class FileSource implements ByteSource {
    private final String name;
    final FileChannel channel;
    private final long length;

    private FileSource(String name, FileChannel channel, long length) {
        this.name = name;
        this.channel = channel;
        this.length = length;
    }

    static FileSource open(Path file) throws IOException {
        FileChannel channel = FileChannel.open(file, StandardOpenOption.READ);
        try {
            long length = channel.size();
            if (length <= Integer.MAX_VALUE) {
                try {
                    return new Mapped(file.toString(), channel, length,
                            channel.map(FileChannel.MapMode.READ_ONLY, 0, length));
                } catch (UnsupportedOperationException | IOException e) {
                    // Not every file system maps files (Jimfs does not); positional reads work everywhere.
                }
            }
            return new Positional(file.toString(), channel, length);
        } catch (IOException | RuntimeException | Error e) {
            channel.close();
            throw e;
        }
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public long length() {
        return length;
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }

    private static final class Mapped extends FileSource {
        private final MappedByteBuffer map;

        Mapped(String name, FileChannel channel, long length, MappedByteBuffer map) {
            super(name, channel, length);
            this.map = map;
        }

        @Override
        public byte[] read(long position, int length) {
            byte[] out = new byte[length];
            map.get((int) position, out);
            return out;
        }

        @Override
        public void digest(MessageDigest digest, long position, int length) {
            digest.update(map.slice((int) position, length));
        }
    }

    private static final class Positional extends FileSource {
        Positional(String name, FileChannel channel, long length) {
            super(name, channel, length);
        }

        @Override
        public byte[] read(long position, int length) throws IOException {
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
    }
}
