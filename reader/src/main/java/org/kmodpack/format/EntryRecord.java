package org.kmodpack.format;

import java.nio.ByteBuffer;

/**
 * One row of the ENTRIES section. {@code size} and {@code ref} depend on the kind: a file's byte count and
 * offset in the data stream; a symlink's target length and offset in NAMES; a directory's child count and
 * the index of its first child.
 */
public record EntryRecord(int nameOffset, int nameLength, EntryKind kind, int parent, int mode, int uid,
        int gid, long mtimeSeconds, int mtimeNanos, int inode, long size, long ref) {
    public static final int SIZE = 64;
    // Field offsets within a record (spec/FORMAT.md section 4.4); all integers little-endian.
    static final int NAME_OFFSET_AT = 0;
    static final int NAME_LENGTH_AT = 4;
    static final int KIND_AT = 6;
    static final int RESERVED_BYTE_AT = 7;
    static final int PARENT_AT = 8;
    static final int MODE_AT = 12;
    static final int UID_AT = 16;
    static final int GID_AT = 20;
    static final int MTIME_SECONDS_AT = 24;
    static final int MTIME_NANOS_AT = 32;
    static final int INODE_AT = 36;
    static final int SIZE_AT = 40;
    static final int REF_AT = 48;
    static final int RESERVED_LONG_AT = 56;

    void encode(ByteBuffer out) {
        out.putInt(nameOffset).putShort((short) nameLength).put((byte) kind.id()).put((byte) 0);
        out.putInt(parent).putInt(mode).putInt(uid).putInt(gid);
        out.putLong(mtimeSeconds).putInt(mtimeNanos).putInt(inode);
        out.putLong(size).putLong(ref).putLong(0);
    }

    static EntryRecord decode(ByteBuffer entries, int i, String bundle) throws CorruptBundleException {
        int at = i * SIZE;
        int kindId = Byte.toUnsignedInt(entries.get(at + KIND_AT));
        EntryKind kind = EntryKind.byId(kindId);
        if (kind == null) {
            throw new UnsupportedBundleException(bundle, "entry " + i + " has kind id " + kindId);
        }
        if (entries.get(at + RESERVED_BYTE_AT) != 0 || entries.getLong(at + RESERVED_LONG_AT) != 0) {
            throw new CorruptBundleException(bundle, "reserved bytes of entry " + i + " are not zero");
        }
        return at(entries, i);
    }

    /** Row {@code i} of rows that {@link #decode} has accepted: their kinds are known. */
    static EntryRecord at(ByteBuffer entries, int i) {
        int at = i * SIZE;
        EntryKind kind = EntryKind.byId(Byte.toUnsignedInt(entries.get(at + KIND_AT)));
        return new EntryRecord(entries.getInt(at + NAME_OFFSET_AT),
                Short.toUnsignedInt(entries.getShort(at + NAME_LENGTH_AT)), kind, entries.getInt(at + PARENT_AT),
                entries.getInt(at + MODE_AT), entries.getInt(at + UID_AT), entries.getInt(at + GID_AT),
                entries.getLong(at + MTIME_SECONDS_AT), entries.getInt(at + MTIME_NANOS_AT),
                entries.getInt(at + INODE_AT), entries.getLong(at + SIZE_AT), entries.getLong(at + REF_AT));
    }
}
