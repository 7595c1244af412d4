package org.kmodpack.format;

import java.nio.ByteBuffer;

/** One row of the BLOCKS section: where a block's stored bytes are, how they are encoded, and their hash. */
public record BlockRecord(long offset, int storedLength, Codec codec, byte[] sha256) {
    public static final int SIZE = 48;

    public BlockRecord {
        sha256 = sha256.clone();
    }

    @Override
    public byte[] sha256() {
        return sha256.clone();
    }

    void encode(ByteBuffer out) {
        out.putLong(offset).putInt(storedLength).put((byte) codec.id()).put(new byte[3]).put(sha256);
    }

    /** Decodes row {@code i} of a little-endian BLOCKS section; the caller checks the ranges. */
    static BlockRecord decode(ByteBuffer blocks, int i, String bundle) throws CorruptBundleException {
        int at = i * SIZE;
        int codecId = Byte.toUnsignedInt(blocks.get(at + 12));
        Codec codec = Codec.byId(codecId);
        if (codec == null) {
            throw new UnsupportedBundleException(bundle, "block " + i + " uses codec id " + codecId);
        }
        if (blocks.get(at + 13) != 0 || blocks.get(at + 14) != 0 || blocks.get(at + 15) != 0) {
            throw new CorruptBundleException(bundle, "reserved bytes of block " + i + " are not zero");
        }
        byte[] sha = new byte[32];
        blocks.get(at + 16, sha);
        return new BlockRecord(blocks.getLong(at), blocks.getInt(at + 8), codec, sha);
    }
}
