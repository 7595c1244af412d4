package org.kmodpack.format;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.kmodpack.format.HostileBundles.sectionRefused;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;

/**
 * The BLOCK_STARTS section (spec/FORMAT.md section 17.1): the blocks it describes tile the data stream, each
 * position is found in its block, and every start that would leave a block empty, larger than the block size or
 * outside the stream is refused naming the bundle.
 */
class BlockLayoutTest {
    private static final int BLOCK_SIZE = 4096;

    private static Params params(int blockCount, long dataLength) {
        return new Params(BLOCK_SIZE, blockCount, dataLength, 1, Codec.NONE, 0, "6.1.0-tiny");
    }

    private static ByteBuffer section(long... starts) {
        return ByteBuffer.wrap(BlockLayout.encode(starts)).order(ByteOrder.LITTLE_ENDIAN);
    }

    @Test
    void blocksStartWhereTheSectionSays() throws CorruptBundleException {
        BlockLayout layout = BlockLayout.decode(section(0, 3000, 7000), params(3, 8000), "t.kpack");
        assertEquals(3000, layout.contentSize(0));
        assertEquals(4000, layout.contentSize(1));
        assertEquals(1000, layout.contentSize(2));
        assertEquals(0, layout.blockAt(0));
        assertEquals(0, layout.blockAt(2999));
        assertEquals(1, layout.blockAt(3000));
        assertEquals(1, layout.blockAt(6999));
        assertEquals(2, layout.blockAt(7999));
        assertEquals(7000, layout.start(2));
    }

    @Test
    void startsThatDoNotTileTheStreamAreRefused() {
        sectionRefused(() -> BlockLayout.decode(section(1, 3000), params(2, 6000), "t.kpack"), "block 0 starts at 1");
        sectionRefused(() -> BlockLayout.decode(section(0, 0), params(2, 6000), "t.kpack"), "block 1 starts at 0");
        sectionRefused(() -> BlockLayout.decode(section(0, 4097), params(2, 6000), "t.kpack"), "block 1 starts at 4097");
        sectionRefused(() -> BlockLayout.decode(section(0, 6000), params(2, 6000), "t.kpack"), "block 1 starts at 6000");
        sectionRefused(() -> BlockLayout.decode(section(0, 1000), params(2, 6000), "t.kpack"),
                "the last block cannot hold the end");
        sectionRefused(() -> BlockLayout.decode(section(0), params(2, 6000), "t.kpack"), "BLOCK_STARTS section is 8");
        sectionRefused(() -> BlockLayout.full(params(3, 6000), "t.kpack"), "3 blocks of 4096 bytes cannot hold 6000");
    }
}
