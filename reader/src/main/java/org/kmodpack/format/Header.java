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
    /** Bundles without a feature of a later minor version carry this one, so their bytes never change. */
    public static final int MINOR_VERSION = 0;
    /** 1.1: layers (the LAYER section). A writer records the lowest minor version whose features it uses. */
    public static final int LAYER_MINOR_VERSION = 1;
    /** 1.2: firmware (the FIRMWARE section). */
    public static final int FIRMWARE_MINOR_VERSION = 2;
    /** 1.3: blocks that end where a file starts (the BLOCK_STARTS section). */
    public static final int BLOCK_STARTS_MINOR_VERSION = 3;
    /** 1.4: the kernel's exported symbols (the KERNEL_SYMBOLS section). */
    public static final int KERNEL_SYMBOLS_MINOR_VERSION = 4;
    /** The newest minor version this reader knows every feature of. */
    public static final int NEWEST_MINOR_VERSION = KERNEL_SYMBOLS_MINOR_VERSION;
    /** PNG-style: a high byte, the name, and CR LF, SUB, LF to catch text-mode and 7-bit transfers. */
    private static final byte[] MAGIC = {(byte) 0x89, 'K', 'P', 'K', '\r', '\n', 0x1a, '\n'};
    // Field offsets (spec/FORMAT.md section 3); all integers little-endian.
    static final int MAJOR_VERSION_AT = 8;
    static final int MINOR_VERSION_AT = 10;
    static final int HEADER_SIZE_AT = 12;
    static final int BUNDLE_LENGTH_AT = 16;
    static final int INDEX_OFFSET_AT = 24;
    static final int INDEX_LENGTH_AT = 32;
    static final int INDEX_SHA256_AT = 40;
    static final int SIGNATURE_OFFSET_AT = 72;
    static final int SIGNATURE_LENGTH_AT = 80;
    static final int FLAGS_AT = 88;
    /** Zero bytes from here up to the CRC. */
    static final int RESERVED_AT = 92;
    static final int CRC_AT = 124;
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
        out.putInt(0); // flags
        CRC32C crc = new CRC32C();
        crc.update(out.array(), 0, CRC_AT);
        out.putInt(CRC_AT, (int) crc.getValue());
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
        int major = Short.toUnsignedInt(in.getShort(MAJOR_VERSION_AT));
        int minor = Short.toUnsignedInt(in.getShort(MINOR_VERSION_AT));
        if (major != MAJOR_VERSION) {
            throw new UnsupportedBundleException(bundle, "format version " + major + "." + minor);
        }
        CRC32C crc = new CRC32C();
        crc.update(bytes, 0, CRC_AT);
        if (in.getInt(CRC_AT) != (int) crc.getValue()) {
            throw new CorruptBundleException(bundle, "header checksum mismatch");
        }
        int headerSize = in.getInt(HEADER_SIZE_AT);
        if (headerSize != SIZE) {
            throw new CorruptBundleException(bundle, "header size field is " + headerSize + ", expected " + SIZE);
        }
        long bundleLength = in.getLong(BUNDLE_LENGTH_AT);
        long indexOffset = in.getLong(INDEX_OFFSET_AT);
        long indexLength = in.getLong(INDEX_LENGTH_AT);
        byte[] sha = new byte[Sha256.LENGTH];
        in.get(INDEX_SHA256_AT, sha);
        long signatureOffset = in.getLong(SIGNATURE_OFFSET_AT);
        long signatureLength = in.getLong(SIGNATURE_LENGTH_AT);
        int flags = in.getInt(FLAGS_AT);
        if (flags != 0) {
            throw new UnsupportedBundleException(bundle, "header flags 0x" + Integer.toHexString(flags));
        }
        for (int i = RESERVED_AT; i < CRC_AT; i++) {
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
