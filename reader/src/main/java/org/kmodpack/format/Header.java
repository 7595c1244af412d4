package org.kmodpack.format;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.zip.CRC32C;

/**
 * The fixed 128-byte header at offset 0. It locates the index region, so a reader needs the header
 * and the index and nothing else before it can read any file.
 */
public record Header(
        int majorVersion,
        int minorVersion,
        long bundleLength,
        long indexOffset,
        long indexLength,
        byte[] indexSha256,
        long signatureOffset,
        long signatureLength) {

    public static final int SIZE = 128;
    public static final int MAJOR_VERSION = 1;
    public static final int MINOR_VERSION = 0;
    /** PNG-style: a high byte, the name, and CR LF, SUB, LF to catch text-mode and 7-bit transfers. */
    private static final byte[] MAGIC = {(byte) 0x89, 'K', 'P', 'K', '\r', '\n', 0x1a, '\n'};
    private static final int CRC_OFFSET = 124;
    /** No index is allowed to be larger; a hostile header cannot make a reader allocate more. */
    public static final long MAX_INDEX_LENGTH = 1L << 30;

    public Header {
        indexSha256 = indexSha256.clone();
    }

    @Override
    public byte[] indexSha256() {
        return indexSha256.clone();
    }

    public byte[] encode() {
        ByteBuffer out = ByteBuffer.allocate(SIZE).order(ByteOrder.LITTLE_ENDIAN);
        out.put(MAGIC);
        out.putShort((short) majorVersion);
        out.putShort((short) minorVersion);
        out.putInt(SIZE);
        out.putLong(bundleLength);
        out.putLong(indexOffset);
        out.putLong(indexLength);
        out.put(indexSha256);
        out.putLong(signatureOffset);
        out.putLong(signatureLength);
        out.putInt(0);
        CRC32C crc = new CRC32C();
        crc.update(out.array(), 0, CRC_OFFSET);
        out.putInt(CRC_OFFSET, (int) crc.getValue());
        return out.array();
    }

    /**
     * Decodes and checks the header against the real file length. Everything a later step relies on is
     * checked here: a reader never seeks or allocates from an unchecked header field.
     */
    public static Header decode(byte[] bytes, long fileLength, String bundle) throws CorruptBundleException {
        if (fileLength < SIZE || bytes.length < SIZE) {
            throw new CorruptBundleException(bundle, "file is " + fileLength + " bytes, shorter than the "
                    + SIZE + "-byte header");
        }
        if (!Arrays.equals(bytes, 0, MAGIC.length, MAGIC, 0, MAGIC.length)) {
            throw new CorruptBundleException(bundle, "wrong magic number: not a kmodpack bundle");
        }
        ByteBuffer in = ByteBuffer.wrap(bytes, 0, SIZE).order(ByteOrder.LITTLE_ENDIAN);
        int major = Short.toUnsignedInt(in.getShort(8));
        int minor = Short.toUnsignedInt(in.getShort(10));
        if (major != MAJOR_VERSION) {
            throw new UnsupportedBundleException(bundle, "format version " + major + "." + minor);
        }
        CRC32C crc = new CRC32C();
        crc.update(bytes, 0, CRC_OFFSET);
        if (in.getInt(CRC_OFFSET) != (int) crc.getValue()) {
            throw new CorruptBundleException(bundle, "header checksum mismatch");
        }
        int headerSize = in.getInt(12);
        if (headerSize != SIZE) {
            throw new CorruptBundleException(bundle, "header size field is " + headerSize + ", expected " + SIZE);
        }
        long bundleLength = in.getLong(16);
        long indexOffset = in.getLong(24);
        long indexLength = in.getLong(32);
        byte[] sha = new byte[32];
        in.get(40, sha);
        long signatureOffset = in.getLong(72);
        long signatureLength = in.getLong(80);
        int flags = in.getInt(88);
        if (flags != 0) {
            throw new UnsupportedBundleException(bundle, "header flags 0x" + Integer.toHexString(flags));
        }
        for (int i = 92; i < CRC_OFFSET; i++) {
            if (bytes[i] != 0) {
                throw new CorruptBundleException(bundle, "reserved header byte " + i + " is not zero");
            }
        }
        if (bundleLength != fileLength) {
            throw new CorruptBundleException(bundle, "file is " + fileLength + " bytes but its header says "
                    + bundleLength + (fileLength < bundleLength ? " (truncated)" : " (bytes appended)"));
        }
        if (indexOffset < SIZE || indexLength <= 0 || indexLength > MAX_INDEX_LENGTH
                || indexOffset > bundleLength - indexLength) {
            throw new CorruptBundleException(bundle, "index at " + indexOffset + " length " + indexLength
                    + " lies outside the " + bundleLength + "-byte file");
        }
        long contentEnd = indexOffset + indexLength;
        if (signatureOffset == 0 && signatureLength == 0) {
            if (contentEnd != bundleLength) {
                throw new CorruptBundleException(bundle, (bundleLength - contentEnd)
                        + " bytes follow the index where nothing may");
            }
        } else if (signatureOffset != contentEnd || signatureLength <= 0
                || signatureLength != bundleLength - contentEnd) {
            throw new CorruptBundleException(bundle, "signature block at " + signatureOffset + " length "
                    + signatureLength + " does not exactly follow the index and end the file");
        }
        return new Header(major, minor, bundleLength, indexOffset, indexLength, sha, signatureOffset,
                signatureLength);
    }
}
