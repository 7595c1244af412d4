package org.kmodpack.packer;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import org.kmodpack.format.BlockRecord;
import org.kmodpack.format.Codec;
import org.kmodpack.format.Sha256;

/**
 * Cuts the data stream into blocks, compresses them on the worker threads and writes them in stream order.
 * At most two blocks per worker are in flight, so memory stays bounded whatever the tree's size (about
 * 4 x workers x block size: each block has a content and an encoding buffer), and the bytes written do not
 * depend on the number of workers. The buffers go from block to block: with zstd, allocating two fresh
 * block-sized arrays per block kept G1 busy enough to cost 15 % of the pack's time.
 *
 * <p>The stream is appended item by item (a file's content, a module's modinfo record). With resynchronising
 * blocks (format 1.3) a block also ends before an item that does not fit in it, and before an anchor item once
 * it holds half a block: an item is an anchor when the SHA-256 of its name (a content's path, a record's module)
 * has its first byte's low three bits clear. Where a block ends depends on the items since its start, not on where
 * it lies in the stream, so after an item whose size changed the blocks end where they ended before (unless the
 * change moves an anchor across half a block, or an item across a block's end): a rebuilt tree shares every block
 * with the last bundle but the ones holding what changed.
 */
final class BlockWriter {
    /** One item in eight is an anchor. */
    private static final int ANCHOR_MASK = 7;

    /** The buffers of one block: its content as read, and its encoding. */
    private record Buffers(byte[] content, byte[] encoded) {
    }

    /** A block as it will be stored: {@code stored} is one of its buffers. */
    private record StoredBlock(Buffers buffers, byte[] stored, int length, Codec codec, byte[] sha256) {
    }

    private final FileChannel out;
    private final Codec codec;
    private final int blockSize;
    private final ExecutorService workers;
    private final int maxInFlight;
    /** Where each block starts in the stream, with resynchronising blocks (format 1.3); null for full blocks. */
    private final List<Long> starts;
    private long appended;
    private final Deque<Future<StoredBlock>> inFlight = new ArrayDeque<>();
    private final List<BlockRecord> written = new ArrayList<>();
    private final Deque<Buffers> idle = new ArrayDeque<>();
    private final List<Compressor> compressors = Collections.synchronizedList(new ArrayList<>());
    private final ThreadLocal<Compressor> compressor;
    private long position;
    /** The block being filled; null until the stream has bytes for it. */
    private Buffers filling;
    private int fill;

    BlockWriter(FileChannel out, long position, Codec codec, int level, int blockSize, boolean resync,
            ExecutorService workers, int threads) {
        this.out = out;
        this.starts = resync ? new ArrayList<>() : null;
        this.position = position;
        this.codec = codec;
        this.blockSize = blockSize;
        this.workers = workers;
        this.maxInFlight = 2 * threads;
        this.compressor = ThreadLocal.withInitial(() -> {
            Compressor c = new Compressor(codec, level);
            compressors.add(c);
            return c;
        });
    }

    /** Appends bytes made by the packer itself (a module's modinfo record, named {@code name}) to the stream. */
    void append(String name, byte[] bytes, int offset, int length) throws IOException {
        startItem(name, length);
        int done = 0;
        while (done < length) {
            int n = Math.min(blockSize - fill, length - done);
            System.arraycopy(bytes, offset + done, filling().content(), fill, n);
            fill += n;
            appended += n;
            done += n;
            if (fill == blockSize) {
                submit();
            }
        }
    }

    /** Appends one file's content to the stream; it must still have the size the scan saw. */
    void append(ContentPlan.Content content) throws IOException {
        startItem(content.path(), content.size());
        long remaining = content.size();
        try (InputStream in = Files.newInputStream(content.source())) {
            while (remaining > 0) {
                int n = in.read(filling().content(), fill, (int) Math.min(blockSize - fill, remaining));
                if (n < 0) {
                    throw changed(content);
                }
                fill += n;
                appended += n;
                remaining -= n;
                if (fill == blockSize) {
                    submit();
                }
            }
            if (in.read() >= 0) {
                throw changed(content);
            }
        }
    }

    /** Flushes the last, partial block and returns the block table. */
    List<BlockRecord> finish() throws IOException {
        if (fill > 0) {
            submit();
        }
        while (!inFlight.isEmpty()) {
            writeOldest();
        }
        compressors.forEach(Compressor::close);
        return written;
    }

    long position() {
        return position;
    }

    /** Where each block starts in the stream, for the BLOCK_STARTS section; null without resynchronising blocks. */
    long[] blockStarts() {
        return starts == null ? null : starts.stream().mapToLong(Long::longValue).toArray();
    }

    /** Ends the block before an item, as resynchronising blocks end (see the class comment). */
    private void startItem(String name, long size) throws IOException {
        if (starts != null && fill > 0 && (fill + size > blockSize || fill >= blockSize / 2 && isAnchor(name))) {
            submit();
        }
    }

    private static boolean isAnchor(String name) {
        return (Sha256.of(name.getBytes(StandardCharsets.UTF_8))[0] & ANCHOR_MASK) == 0;
    }

    private void submit() throws IOException {
        Buffers buffers = filling;
        int length = fill;
        if (starts != null) {
            starts.add(appended - fill);
        }
        inFlight.add(workers.submit(() -> encode(buffers, length)));
        filling = null;
        fill = 0;
        while (inFlight.size() >= maxInFlight) {
            writeOldest();
        }
    }

    private Buffers filling() {
        if (filling == null) {
            filling = !idle.isEmpty() ? idle.poll()
                    : new Buffers(new byte[blockSize], new byte[codec == Codec.NONE ? 0 : Compressor.bound(blockSize)]);
        }
        return filling;
    }

    private StoredBlock encode(Buffers buffers, int length) {
        int encoded = compressor.get().compress(buffers.content(), length, buffers.encoded());
        byte[] stored = encoded >= 0 ? buffers.encoded() : buffers.content();
        int storedLength = encoded >= 0 ? encoded : length;
        return new StoredBlock(buffers, stored, storedLength, encoded >= 0 ? codec : Codec.NONE,
                BlockHash.of(stored, storedLength));
    }

    private void writeOldest() throws IOException {
        StoredBlock stored;
        try {
            stored = inFlight.poll().get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while compressing");
        } catch (ExecutionException e) {
            throw new IOException("compressing a block failed: " + e.getCause(), e.getCause());
        }
        ByteBuffer bytes = ByteBuffer.wrap(stored.stored(), 0, stored.length());
        long at = position;
        while (bytes.hasRemaining()) {
            at += out.write(bytes, at);
        }
        written.add(new BlockRecord(position, stored.length(), stored.codec(), stored.sha256()));
        position = at;
        idle.add(stored.buffers());
    }

    private static IOException changed(ContentPlan.Content content) {
        return new IOException(content.source() + ": changed size while packing (was " + content.size()
                + " bytes); pack a tree that nothing is writing to");
    }

}
