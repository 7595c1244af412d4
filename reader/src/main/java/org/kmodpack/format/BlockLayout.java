package org.kmodpack.format;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * Where each block's content lies in the data stream: back to back, every block but the last holding exactly the
 * block size (format 1.0), or as the BLOCK_STARTS section (format 1.3) gives each block's start, so that a writer
 * can end a block where a file starts and a changed file does not move the blocks after it.
 */
public final class BlockLayout {
    private static final int START_SIZE = 8;

    /** Each block's first stream position, then the stream's length. */
    private final long[] bounds;
    private final boolean startsGiven;

    private BlockLayout(long[] bounds, boolean startsGiven) {
        this.bounds = bounds;
        this.startsGiven = startsGiven;
    }

    /** Full blocks of the block size, as PARAMS describes them when there is no BLOCK_STARTS section. */
    static BlockLayout full(Params params, String bundle) throws CorruptBundleException {
        if (Params.blockCountFor(params.dataLength(), params.blockSize()) != params.blockCount()) {
            throw new CorruptBundleException(bundle, params.blockCount() + " blocks of " + params.blockSize()
                    + " bytes cannot hold " + params.dataLength() + " bytes of data");
        }
        long[] bounds = new long[params.blockCount() + 1];
        for (int i = 0; i < params.blockCount(); i++) {
            bounds[i] = (long) i * params.blockSize();
        }
        bounds[params.blockCount()] = params.dataLength();
        return new BlockLayout(bounds, false);
    }

    /**
     * The BLOCK_STARTS section: block 0 starts at 0, each next block after the previous one's first byte and at
     * most a block size further, and the last block holds 1 to block size bytes up to the data length.
     */
    static BlockLayout decode(ByteBuffer section, Params params, String bundle) throws CorruptBundleException {
        int count = params.blockCount();
        if (section.remaining() != (long) count * START_SIZE) {
            throw new CorruptBundleException(bundle, "BLOCK_STARTS section is " + section.remaining()
                    + " bytes but PARAMS announces " + count + " blocks");
        }
        long[] bounds = new long[count + 1];
        long previous = -1;
        for (int i = 0; i < count; i++) {
            long start = section.getLong(i * START_SIZE);
            boolean ok = i == 0 ? start == 0 : start > previous && start - previous <= params.blockSize();
            if (!ok || start >= params.dataLength()) {
                throw new CorruptBundleException(bundle, "block " + i + " starts at " + start + " of the data "
                        + "stream, which is not after block " + (i - 1) + " and within " + params.blockSize()
                        + " bytes of its start inside the " + params.dataLength() + "-byte stream");
            }
            bounds[i] = start;
            previous = start;
        }
        if (count == 0 ? params.dataLength() != 0 : params.dataLength() - previous > params.blockSize()) {
            throw new CorruptBundleException(bundle, "the last block cannot hold the end of the "
                    + params.dataLength() + "-byte data stream");
        }
        bounds[count] = params.dataLength();
        return new BlockLayout(bounds, true);
    }

    /** The BLOCK_STARTS section of these starts. */
    public static byte[] encode(long[] starts) {
        ByteBuffer out = ByteBuffer.allocate(starts.length * START_SIZE).order(ByteOrder.LITTLE_ENDIAN);
        for (long start : starts) {
            out.putLong(start);
        }
        return out.array();
    }

    /** Whether the blocks' starts are given (format 1.3) rather than every block full. */
    public boolean startsGiven() {
        return startsGiven;
    }

    /** The stream position of the block's first byte. */
    public long start(int block) {
        return bounds[block];
    }

    /** The uncompressed size of the block. */
    public int contentSize(int block) {
        return (int) (bounds[block + 1] - bounds[block]);
    }

    /** The block holding stream position {@code position} ({@code 0 <= position < dataLength}). */
    public int blockAt(long position) {
        int found = Arrays.binarySearch(bounds, 0, bounds.length - 1, position);
        return found >= 0 ? found : -found - 2;
    }
}
