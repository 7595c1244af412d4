package org.kmodpack.format;

import java.nio.ByteBuffer;

/** One row of the BLOCKS section: where a block's stored bytes are, how they are encoded, and their hash. */
public record BlockRecord(long offset, int storedLength, Codec codec, byte[] sha256) {
    public static final int SIZE = 48;
    // Field offsets within a record (spec/FORMAT.md section 4.3); all integers little-endian.
    static final int OFFSET_AT = 0;
    static final int STORED_LENGTH_AT = 8;
    static final int CODEC_AT = 12;
    /** Three zero bytes. */
    static final int RESERVED_AT = 13;
    static final int SHA256_AT = 16;

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
        int codecId = Byte.toUnsignedInt(blocks.get(at + CODEC_AT));
        Codec codec = Codec.byId(codecId);
        if (codec == null) {
            throw new UnsupportedBundleException(bundle, "block " + i + " uses codec id " + codecId);
        }
        if (blocks.get(at + RESERVED_AT) != 0 || blocks.get(at + RESERVED_AT + 1) != 0
                || blocks.get(at + RESERVED_AT + 2) != 0) {
            throw new CorruptBundleException(bundle, "reserved bytes of block " + i + " are not zero");
        }
        byte[] sha = new byte[Sha256.LENGTH];
        blocks.get(at + SHA256_AT, sha);
        return new BlockRecord(blocks.getLong(at + OFFSET_AT), blocks.getInt(at + STORED_LENGTH_AT), codec, sha);
    }
}
