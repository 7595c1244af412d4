package org.kmodpack.format;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * The PARAMS section: how the logical data stream is cut into blocks, how many entries the tree has, and
 * the kernel version. No block holds more than {@code blockSize} bytes of the stream; {@link BlockLayout} says
 * where each one starts.
 */
public record Params(int blockSize, int blockCount, long dataLength, int entryCount, Codec codec, int level,
        String kernelVersion) {

    public static final int MIN_BLOCK_SIZE = 4096;
    public static final int MAX_BLOCK_SIZE = 64 << 20;
    // Field offsets (spec/FORMAT.md section 4.2); all integers little-endian.
    private static final int BLOCK_SIZE_AT = 0;
    private static final int BLOCK_COUNT_AT = 4;
    private static final int DATA_LENGTH_AT = 8;
    private static final int ENTRY_COUNT_AT = 16;
    private static final int CODEC_AT = 20;
    private static final int LEVEL_AT = 21;
    private static final int KERNEL_VERSION_LENGTH_AT = 22;
    /** Then the kernel version's bytes. */
    static final int FIXED_SIZE = 24;
    static final int MAX_KERNEL_VERSION_LENGTH = 255;

    public static long blockCountFor(long dataLength, int blockSize) {
        return (dataLength + blockSize - 1) / blockSize;
    }

    byte[] encode() {
        byte[] version = kernelVersion.getBytes(StandardCharsets.UTF_8);
        ByteBuffer out = ByteBuffer.allocate(FIXED_SIZE + version.length).order(ByteOrder.LITTLE_ENDIAN);
        out.putInt(blockSize).putInt(blockCount).putLong(dataLength).putInt(entryCount);
        out.put((byte) codec.id()).put((byte) level).putShort((short) version.length).put(version);
        return out.array();
    }

    static Params decode(ByteBuffer in, String bundle) throws CorruptBundleException {
        in = in.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        if (in.remaining() < FIXED_SIZE) {
            throw new CorruptBundleException(bundle, "PARAMS section is " + in.remaining() + " bytes, too short");
        }
        int blockSize = in.getInt(BLOCK_SIZE_AT);
        int blockCount = in.getInt(BLOCK_COUNT_AT);
        long dataLength = in.getLong(DATA_LENGTH_AT);
        int entryCount = in.getInt(ENTRY_COUNT_AT);
        Codec codec = Codec.byId(Byte.toUnsignedInt(in.get(CODEC_AT)));
        int level = in.get(LEVEL_AT);
        int versionLength = Short.toUnsignedInt(in.getShort(KERNEL_VERSION_LENGTH_AT));
        if (blockSize < MIN_BLOCK_SIZE || blockSize > MAX_BLOCK_SIZE || Integer.bitCount(blockSize) != 1) {
            throw new CorruptBundleException(bundle, "block size " + Integer.toUnsignedString(blockSize)
                    + " is not a power of two between " + MIN_BLOCK_SIZE + " and " + MAX_BLOCK_SIZE);
        }
        // At least the blocks of the block size it takes, at most one per byte; BlockLayout checks the rest.
        if (dataLength < 0 || blockCount < 0 || blockCountFor(dataLength, blockSize) > blockCount
                || blockCount > dataLength) {
            throw new CorruptBundleException(bundle, Integer.toUnsignedString(blockCount) + " blocks of "
                    + blockSize + " bytes cannot hold " + dataLength + " bytes of data");
        }
        if (entryCount <= 0) {
            throw new CorruptBundleException(bundle, "entry count " + Integer.toUnsignedString(entryCount)
                    + " is out of range");
        }
        if (codec == null) {
            throw new UnsupportedBundleException(bundle, "codec id " + Byte.toUnsignedInt(in.get(CODEC_AT)));
        }
        if (versionLength == 0 || versionLength > MAX_KERNEL_VERSION_LENGTH
                || in.remaining() != FIXED_SIZE + versionLength) {
            throw new CorruptBundleException(bundle, "PARAMS section length " + in.remaining()
                    + " does not match its kernel version length " + versionLength);
        }
        byte[] version = new byte[versionLength];
        in.get(FIXED_SIZE, version);
        String kernelVersion = Utf8.decode(version, bundle, "kernel version");
        if (!Names.isValidName(version)) {
            throw new CorruptBundleException(bundle, "kernel version '" + kernelVersion
                    + "' is not a valid directory name");
        }
        return new Params(blockSize, blockCount, dataLength, entryCount, codec, level, kernelVersion);
    }
}
