package org.kmodpack.format;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * A modinfo field as the MODULES section stores it. With {@code inFile}, {@code value} is not the field's
 * bytes but a reference to them in the module file (flag {@link #IN_FILE}): build it with
 * {@link #inFile(String, long, int, boolean)}, read it with {@link #fileOffset()} and {@link #fileLength()}.
 */
public record ModinfoField(String key, byte[] value, boolean hex, boolean inFile) {
    /** Flag: the value is raw bytes that modinfo prints as colon-separated hex. */
    public static final int HEX = 1;
    /**
     * Flag: the value is not stored; it is the byte range (u64 offset, u32 length, little-endian) of the
     * module file in the bundle. Used for signatures of uncompressed modules, which the file already holds.
     */
    public static final int IN_FILE = 2;

    public ModinfoField(String key, byte[] value, boolean hex) {
        this(key, value, hex, false);
    }

    public static ModinfoField inFile(String key, long offset, int length, boolean hex) {
        byte[] reference = ByteBuffer.allocate(ModuleSectionLayout.INFO_IN_FILE_SIZE).order(ByteOrder.LITTLE_ENDIAN)
                .putLong(offset).putInt(length).array();
        return new ModinfoField(key, reference, hex, true);
    }

    public long fileOffset() {
        return ByteBuffer.wrap(value).order(ByteOrder.LITTLE_ENDIAN).getLong(ModuleSectionLayout.INFO_IN_FILE_OFFSET);
    }

    public int fileLength() {
        return ByteBuffer.wrap(value).order(ByteOrder.LITTLE_ENDIAN).getInt(ModuleSectionLayout.INFO_IN_FILE_LENGTH);
    }
}
