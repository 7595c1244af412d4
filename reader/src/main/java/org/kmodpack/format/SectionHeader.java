package org.kmodpack.format;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * How the sections that later minor versions added begin (LAYER, FIRMWARE): a u32 magic number, then a u32 version
 * of the section's own layout, little-endian.
 */
final class SectionHeader {
    static final int MAGIC_AT = 0;
    static final int VERSION_AT = MAGIC_AT + Integer.BYTES;
    /** Where the section's own fields start. */
    static final int SIZE = VERSION_AT + Integer.BYTES;

    private SectionHeader() {
    }

    /**
     * The section's bytes, little-endian, once it is found to hold at least {@code fixedSize} bytes, to start with
     * {@code magic} and to be of {@code version}; {@code name} is the section's in errors (LAYER).
     */
    static ByteBuffer open(ByteBuffer section, String name, int magic, int version, int fixedSize, String bundle)
            throws CorruptBundleException {
        ByteBuffer in = section.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        if (in.remaining() < fixedSize || in.getInt(MAGIC_AT) != magic) {
            throw new CorruptBundleException(bundle, name + " section does not start with its magic number");
        }
        if (in.getInt(VERSION_AT) != version) {
            throw new UnsupportedBundleException(bundle, name + " section version "
                    + Integer.toUnsignedString(in.getInt(VERSION_AT)));
        }
        return in;
    }
}
