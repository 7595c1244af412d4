package org.kmodpack.format;

import java.nio.ByteBuffer;

/**
 * One checked tree of a bundle: its entry rows and the name pool they point into. The module directory is the
 * ENTRIES and NAMES sections; a firmware tree (format 1.2) carries both in its FIRMWARE section. Everything read
 * through it is in range: {@link TreeChecker} checked every row, name and link when it was decoded.
 */
public final class TreeTable {
    private final int entryCount;
    private final ByteBuffer entries;
    private final ByteBuffer names;
    private final int[] linkCountByInode;

    private TreeTable(int entryCount, ByteBuffer entries, ByteBuffer names, int[] linkCountByInode) {
        this.entryCount = entryCount;
        this.entries = entries;
        this.names = names;
        this.linkCountByInode = linkCountByInode;
    }

    /**
     * Checks {@code entryCount} rows of {@code entries} over the pool {@code names} as section 5 of the format
     * says, with file contents inside a data stream of {@code dataLength} bytes; {@code label} prefixes what
     * errors call an entry ("firmware " for the firmware tree).
     */
    static TreeTable decode(String bundle, String label, int entryCount, long dataLength, ByteBuffer entries,
            ByteBuffer names) throws CorruptBundleException {
        int[] linkCounts = new TreeChecker(bundle, label, entryCount, dataLength, entries, names).check();
        return new TreeTable(entryCount, entries, names, linkCounts);
    }

    public int entryCount() {
        return entryCount;
    }

    public EntryRecord entry(int i) {
        return EntryRecord.at(entries, i);
    }

    public byte[] nameBytes(EntryRecord entry) {
        // The root's name_offset is ignored (section 4.4), so it is not checked and must not be followed.
        return entry.nameLength() == 0 ? new byte[0] : bytesAt(entry.nameOffset(), entry.nameLength());
    }

    public byte[] symlinkTarget(EntryRecord entry) {
        return bytesAt((int) entry.ref(), (int) entry.size());
    }

    public int linkCount(EntryRecord entry) {
        return linkCountByInode[entry.inode()];
    }

    /** Binary search of a directory's children, which are stored sorted by name bytes; -1 if absent. */
    public int findChild(EntryRecord directory, byte[] name) {
        int first = (int) directory.ref();
        return SortedNames.search(first, first + (int) directory.size() - 1, row -> {
            int at = row * EntryRecord.SIZE;
            return SortedNames.compare(names, entries.getInt(at + EntryRecord.NAME_OFFSET_AT),
                    Short.toUnsignedInt(entries.getShort(at + EntryRecord.NAME_LENGTH_AT)), name, name.length);
        });
    }

    private byte[] bytesAt(int offset, int length) {
        byte[] out = new byte[length];
        names.get(offset, out);
        return out;
    }
}
