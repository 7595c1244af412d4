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

    void encode(ByteBuffer out) {
        out.putInt(nameOffset).putShort((short) nameLength).put((byte) kind.id()).put((byte) 0);
        out.putInt(parent).putInt(mode).putInt(uid).putInt(gid);
        out.putLong(mtimeSeconds).putInt(mtimeNanos).putInt(inode);
        out.putLong(size).putLong(ref).putLong(0);
    }

    static EntryRecord decode(ByteBuffer entries, int i, String bundle) throws CorruptBundleException {
        int at = i * SIZE;
        int kindId = Byte.toUnsignedInt(entries.get(at + 6));
        EntryKind kind = EntryKind.byId(kindId);
        if (kind == null) {
            throw new UnsupportedBundleException(bundle, "entry " + i + " has kind id " + kindId);
        }
        if (entries.get(at + 7) != 0 || entries.getLong(at + 56) != 0) {
            throw new CorruptBundleException(bundle, "reserved bytes of entry " + i + " are not zero");
        }
        return new EntryRecord(entries.getInt(at), Short.toUnsignedInt(entries.getShort(at + 4)), kind,
                entries.getInt(at + 8), entries.getInt(at + 12), entries.getInt(at + 16),
                entries.getInt(at + 20), entries.getLong(at + 24), entries.getInt(at + 32),
                entries.getInt(at + 36), entries.getLong(at + 40), entries.getLong(at + 48));
    }
}
