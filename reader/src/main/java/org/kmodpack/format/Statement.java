package org.kmodpack.format;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Arrays;

/**
 * The canonical statement that signatures sign: it commits to every size and digest a reader relies on
 * (fs-verity signs a descriptor, not a bare root hash, for the same reason), plus a serial number against
 * rollback and an optional expiry against indefinite freeze. Signatures cover these bytes only, so a
 * signature can be added later without touching the signed content.
 */
public record Statement(
        int majorVersion,
        int minorVersion,
        String kernelVersion,
        Codec codec,
        int level,
        int blockSize,
        int blockCount,
        long dataLength,
        long signedLength,
        long serial,
        long expiresEpochSecond,
        byte[] headerSha256,
        byte[] indexSha256) {

    /** Domain separation: these bytes can never be mistaken for anything else a key signs. */
    static final byte[] TAG = "kmodpack signed bundle statement".getBytes(StandardCharsets.US_ASCII);
    // Field offsets after the tag (spec/FORMAT.md section 13.3); all integers little-endian.
    private static final int MAJOR_VERSION_AT = 32;
    private static final int MINOR_VERSION_AT = 34;
    private static final int BLOCK_SIZE_AT = 36;
    private static final int BLOCK_COUNT_AT = 40;
    private static final int CODEC_AT = 44;
    private static final int LEVEL_AT = 45;
    private static final int KERNEL_VERSION_LENGTH_AT = 46;
    private static final int DATA_LENGTH_AT = 48;
    private static final int SIGNED_LENGTH_AT = 56;
    private static final int SERIAL_AT = 64;
    private static final int EXPIRES_AT = 72;
    private static final int HEADER_SHA256_AT = 80;
    private static final int INDEX_SHA256_AT = 112;
    /** Then the kernel version's bytes. */
    static final int FIXED_SIZE = 144;
    /** Expiry value meaning: the statement never expires. */
    public static final long NEVER = 0;

    public Statement {
        headerSha256 = headerSha256.clone();
        indexSha256 = indexSha256.clone();
        if (serial < 0) {
            throw new IllegalArgumentException("serial " + serial + " is negative");
        }
        if (expiresEpochSecond < 0) {
            throw new IllegalArgumentException("expiry " + expiresEpochSecond + " is before 1970");
        }
    }

    /** The statement describing a bundle whose signed content starts with {@code header} and holds {@code index}. */
    public static Statement describe(byte[] header, Params params, byte[] indexSha256, long signedLength,
            long serial, long expiresEpochSecond) {
        ByteBuffer in = ByteBuffer.wrap(header).order(ByteOrder.LITTLE_ENDIAN);
        return new Statement(Short.toUnsignedInt(in.getShort(Header.MAJOR_VERSION_AT)),
                Short.toUnsignedInt(in.getShort(Header.MINOR_VERSION_AT)), params.kernelVersion(), params.codec(),
                params.level(), params.blockSize(), params.blockCount(),
                params.dataLength(), signedLength, serial, expiresEpochSecond, headerDigest(header), indexSha256);
    }

    /**
     * SHA-256 of the 128 header bytes with the fields that change when a signature block is added or
     * replaced set to zero: the bundle length, the signature offset and length and the CRC-32C that covers
     * them. Everything else in the header is signed.
     */
    public static byte[] headerDigest(byte[] header) {
        byte[] masked = Arrays.copyOf(header, Header.SIZE);
        Arrays.fill(masked, Header.BUNDLE_LENGTH_AT, Header.INDEX_OFFSET_AT, (byte) 0);
        Arrays.fill(masked, Header.SIGNATURE_OFFSET_AT, Header.FLAGS_AT, (byte) 0);
        Arrays.fill(masked, Header.CRC_AT, Header.SIZE, (byte) 0);
        return Sha256.of(masked);
    }

    @Override
    public byte[] headerSha256() {
        return headerSha256.clone();
    }

    @Override
    public byte[] indexSha256() {
        return indexSha256.clone();
    }

    public boolean expires() {
        return expiresEpochSecond != NEVER;
    }

    public byte[] encode() {
        byte[] version = kernelVersion.getBytes(StandardCharsets.UTF_8);
        ByteBuffer out = ByteBuffer.allocate(FIXED_SIZE + version.length).order(ByteOrder.LITTLE_ENDIAN);
        out.put(TAG);
        out.putShort((short) majorVersion).putShort((short) minorVersion);
        out.putInt(blockSize).putInt(blockCount);
        out.put((byte) codec.id()).put((byte) level).putShort((short) version.length);
        out.putLong(dataLength).putLong(signedLength).putLong(serial).putLong(expiresEpochSecond);
        out.put(headerSha256).put(indexSha256).put(version);
        return out.array();
    }

    static Statement decode(byte[] bytes, String bundle) throws CorruptBundleException {
        if (bytes.length < FIXED_SIZE || !Arrays.equals(bytes, 0, TAG.length, TAG, 0, TAG.length)) {
            throw new CorruptBundleException(bundle, "the signature block's statement does not start with its tag");
        }
        ByteBuffer in = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        int versionLength = Short.toUnsignedInt(in.getShort(KERNEL_VERSION_LENGTH_AT));
        if (versionLength == 0 || versionLength > Params.MAX_KERNEL_VERSION_LENGTH
                || bytes.length != FIXED_SIZE + versionLength) {
            throw new CorruptBundleException(bundle, "the statement is " + bytes.length
                    + " bytes, which does not match its kernel version length " + versionLength);
        }
        Codec codec = Codec.byId(Byte.toUnsignedInt(in.get(CODEC_AT)));
        long serial = in.getLong(SERIAL_AT);
        long expires = in.getLong(EXPIRES_AT);
        if (codec == null || serial < 0 || expires < 0) {
            throw new CorruptBundleException(bundle, "the statement has an unknown codec or a negative "
                    + "serial or expiry");
        }
        byte[] headerSha = Arrays.copyOfRange(bytes, HEADER_SHA256_AT, HEADER_SHA256_AT + Sha256.LENGTH);
        byte[] indexSha = Arrays.copyOfRange(bytes, INDEX_SHA256_AT, INDEX_SHA256_AT + Sha256.LENGTH);
        String kernelVersion = Utf8.decode(Arrays.copyOfRange(bytes, FIXED_SIZE, bytes.length), bundle,
                "statement kernel version");
        return new Statement(Short.toUnsignedInt(in.getShort(MAJOR_VERSION_AT)),
                Short.toUnsignedInt(in.getShort(MINOR_VERSION_AT)), kernelVersion, codec, in.get(LEVEL_AT),
                in.getInt(BLOCK_SIZE_AT), in.getInt(BLOCK_COUNT_AT), in.getLong(DATA_LENGTH_AT),
                in.getLong(SIGNED_LENGTH_AT), serial, expires, headerSha, indexSha);
    }

    /** Same statement ignoring serial and expiry: what the file itself determines. */
    public boolean describesSameContent(Statement other) {
        return majorVersion == other.majorVersion && minorVersion == other.minorVersion
                && kernelVersion.equals(other.kernelVersion) && codec == other.codec && level == other.level
                && blockSize == other.blockSize && blockCount == other.blockCount
                && dataLength == other.dataLength && signedLength == other.signedLength
                && MessageDigest.isEqual(headerSha256, other.headerSha256)
                && MessageDigest.isEqual(indexSha256, other.indexSha256);
    }

}
