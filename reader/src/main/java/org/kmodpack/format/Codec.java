package org.kmodpack.format;

/** How a block's stored bytes encode its content. The id is what the block table stores. */
public enum Codec {
    NONE(0),
    ZSTD(1),
    XZ(2);

    private final int id;

    Codec(int id) {
        this.id = id;
    }

    public int id() {
        return id;
    }

    public String label() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    /** Returns null for an id this version does not know; callers turn that into a format error. */
    public static Codec byId(int id) {
        for (Codec codec : values()) {
            if (codec.id == id) {
                return codec;
            }
        }
        return null;
    }
}
