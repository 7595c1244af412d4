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
        return new Statement(Short.toUnsignedInt(in.getShort(8)), Short.toUnsignedInt(in.getShort(10)),
                params.kernelVersion(), params.codec(), params.level(), params.blockSize(), params.blockCount(),
                params.dataLength(), signedLength, serial, expiresEpochSecond, headerDigest(header), indexSha256);
    }

    /**
     * SHA-256 of the 128 header bytes with the fields that change when a signature block is added or
     * replaced set to zero: the bundle length (16..23), the signature offset and length (72..87) and the
     * CRC-32C that covers them (124..127). Everything else in the header is signed.
     */
    public static byte[] headerDigest(byte[] header) {
        byte[] masked = Arrays.copyOf(header, Header.SIZE);
        Arrays.fill(masked, 16, 24, (byte) 0);
        Arrays.fill(masked, 72, 88, (byte) 0);
        Arrays.fill(masked, 124, 128, (byte) 0);
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
        int versionLength = Short.toUnsignedInt(in.getShort(46));
        if (versionLength == 0 || versionLength > Params.MAX_KERNEL_VERSION_LENGTH
                || bytes.length != FIXED_SIZE + versionLength) {
            throw new CorruptBundleException(bundle, "the statement is " + bytes.length
                    + " bytes, which does not match its kernel version length " + versionLength);
        }
        Codec codec = Codec.byId(Byte.toUnsignedInt(in.get(44)));
        long serial = in.getLong(64);
        long expires = in.getLong(72);
        if (codec == null || serial < 0 || expires < 0) {
            throw new CorruptBundleException(bundle, "the statement has an unknown codec or a negative "
                    + "serial or expiry");
        }
        byte[] headerSha = Arrays.copyOfRange(bytes, 80, 112);
        byte[] indexSha = Arrays.copyOfRange(bytes, 112, 144);
        String kernelVersion = Utf8.decode(Arrays.copyOfRange(bytes, FIXED_SIZE, bytes.length), bundle,
                "statement kernel version");
        return new Statement(Short.toUnsignedInt(in.getShort(32)), Short.toUnsignedInt(in.getShort(34)),
                kernelVersion, codec, in.get(45), in.getInt(36), in.getInt(40), in.getLong(48), in.getLong(56),
                serial, expires, headerSha, indexSha);
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
