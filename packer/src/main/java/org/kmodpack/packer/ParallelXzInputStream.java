package org.kmodpack.packer;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Optional;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.tukaani.xz.SeekableInputStream;
import org.tukaani.xz.SeekableXZInputStream;

/**
 * The decoded bytes of an xz file region whose stream is cut into independent blocks (as Debian's data.tar.xz is:
 * 24 MiB each), decoded on several threads at once (by liblzma where it loads, else by XZ for Java) and handed out
 * in order. At most {@code threads + 1} blocks
 * are decoded ahead; each block's check (CRC or SHA-256) is verified before any of its bytes are handed out.
 * A block's buffer goes back to a pool once its bytes are read and a later block is decoded into it: the
 * threads + 2 buffers in use are all that is allocated, not an array per block for the collector to clear away.
 */
final class ParallelXzInputStream extends InputStream {
    /** Larger blocks are decoded as one stream: holding several of them would take too much memory. */
    static final long MAX_BLOCK_SIZE = 64L << 20;

    /** liblzma where it can be loaded; XZ for Java decodes the blocks otherwise. */
    private static final Optional<Liblzma> LIBLZMA = Liblzma.load();

    private final FileChannel channel;
    private final long offset;
    private final long length;
    private final int memoryLimitKiB;
    private final int blockCount;
    /** The index's answers for each block, taken before any decoder runs (see {@link BlockTable}). */
    private final BlockTable blocks;
    private final ThreadLocal<Liblzma.Decoder> nativeDecoder;
    private final ExecutorService decoders;
    private final Deque<Future<Block>> ahead = new ArrayDeque<>();
    private final Queue<byte[]> idle = new ConcurrentLinkedQueue<>();
    private int nextToSubmit;
    private Block current = new Block(new byte[0], 0);
    private int position;

    /**
     * Where each block lies in the file, its size, compressed and decoded, and its check. XZ for Java answers these
     * questions through one object it reuses for every query, so decoders asking at once got each other's answers
     * (a block read from the wrong place, refused as corrupt): they are asked once, on one thread, here.
     */
    private record BlockTable(long[] compressedPosition, int[] compressedSize, int[] size, int[] checkType) {
        static BlockTable of(SeekableXZInputStream index) {
            int count = index.getBlockCount();
            BlockTable table = new BlockTable(new long[count], new int[count], new int[count], new int[count]);
            for (int block = 0; block < count; block++) {
                table.compressedPosition[block] = index.getBlockCompPos(block);
                table.compressedSize[block] = Math.toIntExact(index.getBlockCompSize(block));
                table.size[block] = Math.toIntExact(index.getBlockSize(block));
                table.checkType[block] = index.getBlockCheckType(block);
            }
            return table;
        }
    }

    /** A decoded block: its first {@code length} bytes of {@code bytes}, a pooled buffer. */
    private record Block(byte[] bytes, int length) {
    }

    private ParallelXzInputStream(FileChannel channel, long offset, long length, int memoryLimitKiB,
            SeekableXZInputStream index, int threads, Optional<Liblzma> liblzma) {
        this.nativeDecoder = ThreadLocal.withInitial(() -> liblzma.map(Liblzma::newDecoder).orElse(null));
        this.channel = channel;
        this.offset = offset;
        this.length = length;
        this.memoryLimitKiB = memoryLimitKiB;
        this.blocks = BlockTable.of(index);
        this.blockCount = index.getBlockCount();
        this.decoders = Executors.newFixedThreadPool(threads, runnable -> {
            Thread thread = new Thread(runnable, "kmodpack-xz-decoder");
            thread.setDaemon(true);
            return thread;
        });
        for (int i = 0; i <= threads; i++) {
            submitNext();
        }
    }

    /**
     * The region's decoded stream, or empty when block-wise decoding gains nothing (one block) or would hold too
     * much (a block larger than {@link #MAX_BLOCK_SIZE}): the caller then decodes it as a plain stream.
     * A region that is not a complete xz stream fails here, as the plain decoder would.
     */
    static Optional<InputStream> open(FileChannel channel, long offset, long length, int memoryLimitKiB, int threads)
            throws IOException {
        return open(channel, offset, length, memoryLimitKiB, threads, LIBLZMA);
    }

    /** As {@link #open(FileChannel, long, long, int, int)} with the given decoder (empty: XZ for Java). */
    static Optional<InputStream> open(FileChannel channel, long offset, long length, int memoryLimitKiB, int threads,
            Optional<Liblzma> liblzma) throws IOException {
        SeekableXZInputStream index = new SeekableXZInputStream(new Region(channel, offset, length), memoryLimitKiB);
        if (index.getBlockCount() < 2 || index.getLargestBlockSize() > MAX_BLOCK_SIZE || threads < 2) {
            return Optional.empty();
        }
        return Optional.of(new ParallelXzInputStream(channel, offset, length, memoryLimitKiB, index, threads,
                liblzma));
    }

    private void submitNext() {
        if (nextToSubmit < blockCount) {
            int block = nextToSubmit++;
            ahead.add(decoders.submit(() -> decode(block)));
        }
    }

    private Block decode(int block) throws IOException {
        int size = blocks.size()[block];
        byte[] into = idle.poll();
        if (into == null || into.length < size) {
            into = new byte[size];
        }
        Liblzma.Decoder liblzma = nativeDecoder.get();
        if (liblzma == null) {
            decodeInJava(block, into, size);
        } else {
            decodeNatively(liblzma, block, into, size);
        }
        return new Block(into, size);
    }

    private void decodeNatively(Liblzma.Decoder liblzma, int block, byte[] into, int size) throws IOException {
        byte[] compressed = new byte[blocks.compressedSize()[block]];
        ByteBuffer read = ByteBuffer.wrap(compressed);
        long at = offset + blocks.compressedPosition()[block];
        while (read.hasRemaining()) {
            if (channel.read(read, at + read.position()) < 0) {
                throw new IOException("xz block " + block + " ends early");
            }
        }
        liblzma.decode(compressed, blocks.checkType()[block], into, size);
    }

    private void decodeInJava(int block, byte[] into, int size) throws IOException {
        SeekableXZInputStream xz = new SeekableXZInputStream(new Region(channel, offset, length), memoryLimitKiB);
        xz.seekToBlock(block);
        int done = 0;
        while (done < size) {
            int n = xz.read(into, done, size - done);
            if (n < 0) {
                throw new IOException("xz block " + block + " ends early");
            }
            done += n;
        }
        // Reaching the size the index gives for the block makes the decoder verify its check.
    }

    @Override
    public int read() throws IOException {
        return ArchiveStreams.readOneByte(this);
    }

    @Override
    public int read(byte[] buffer, int off, int len) throws IOException {
        if (len == 0) {
            return 0;
        }
        while (position == current.length()) {
            Future<Block> next = ahead.poll();
            if (next == null) {
                return -1;
            }
            Block read = current;
            current = await(next);
            position = 0;
            if (read.bytes().length > 0) {
                idle.add(read.bytes());
            }
            submitNext();
        }
        int n = Math.min(len, current.length() - position);
        System.arraycopy(current.bytes(), position, buffer, off, n);
        position += n;
        return n;
    }

    private static Block await(Future<Block> block) throws IOException {
        try {
            return block.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while decoding xz");
        } catch (ExecutionException e) {
            if (e.getCause() instanceof IOException io) {
                throw io;
            }
            throw new IOException(String.valueOf(e.getCause()), e.getCause());
        }
    }

    @Override
    public void close() {
        decoders.shutdownNow();
        ahead.clear();
        idle.clear();
        current = new Block(new byte[0], 0);
        position = 0;
    }

    /** A byte range of a file, read with positional reads so that every decoder has its own position. */
    private static final class Region extends SeekableInputStream {
        private final FileChannel channel;
        private final long start;
        private final long length;
        private long position;

        Region(FileChannel channel, long start, long length) {
            this.channel = channel;
            this.start = start;
            this.length = length;
        }

        @Override
        public int read() throws IOException {
            return ArchiveStreams.readOneByte(this);
        }

        @Override
        public int read(byte[] buffer, int off, int len) throws IOException {
            if (position >= length) {
                return len == 0 ? 0 : -1;
            }
            int n = channel.read(ByteBuffer.wrap(buffer, off, (int) Math.min(len, length - position)),
                    start + position);
            if (n > 0) {
                position += n;
            }
            return n;
        }

        @Override
        public long length() {
            return length;
        }

        @Override
        public long position() {
            return position;
        }

        @Override
        public void seek(long to) throws IOException {
            if (to < 0) {
                throw new IOException("negative seek");
            }
            position = to;
        }
    }
}
