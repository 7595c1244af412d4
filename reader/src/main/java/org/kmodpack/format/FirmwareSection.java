package org.kmodpack.format;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;

/**
 * The FIRMWARE section (spec/FORMAT.md section 16, format 1.2): a second tree beside the module directory, the
 * firmware files its modules ask for, laid out as /lib/firmware is. Its rows and name pool are those of ENTRIES
 * and NAMES; its files' contents lie in the bundle's one data stream, hashed and signed like the modules'.
 */
public final class FirmwareSection {
    /** "KPFW" read as a little-endian u32. */
    private static final int MAGIC = 0x5746504B;
    public static final int VERSION = 1;
    private static final int ENTRY_COUNT_AT = SectionHeader.SIZE;
    private static final int NAMES_LENGTH_AT = ENTRY_COUNT_AT + Integer.BYTES;
    /** Then the entry rows, then the name pool. */
    static final int FIXED_SIZE = NAMES_LENGTH_AT + Integer.BYTES;
    /** What errors call the tree's entries. */
    private static final String LABEL = "firmware ";

    private FirmwareSection() {
    }

    /** The section for a firmware tree of {@code entries} (in the canonical order of section 5) over {@code names}. */
    public static byte[] encode(List<EntryRecord> entries, byte[] names) {
        ByteBuffer out = ByteBuffer.allocate(FIXED_SIZE + entries.size() * EntryRecord.SIZE + names.length)
                .order(ByteOrder.LITTLE_ENDIAN);
        out.putInt(MAGIC).putInt(VERSION).putInt(entries.size()).putInt(names.length);
        entries.forEach(entry -> entry.encode(out));
        out.put(names);
        return out.array();
    }

    /** Checks the section and its tree, whose files must lie inside a data stream of {@code dataLength} bytes. */
    static TreeTable decode(ByteBuffer section, long dataLength, String bundle) throws CorruptBundleException {
        ByteBuffer in = SectionHeader.open(section, "FIRMWARE", MAGIC, VERSION, FIXED_SIZE, bundle);
        int length = in.remaining();
        long entryCount = Integer.toUnsignedLong(in.getInt(ENTRY_COUNT_AT));
        long namesLength = Integer.toUnsignedLong(in.getInt(NAMES_LENGTH_AT));
        // Bounds the entry count by the section's size before any per-entry array is allocated.
        if (entryCount < 1 || FIXED_SIZE + entryCount * EntryRecord.SIZE + namesLength != length) {
            throw new CorruptBundleException(bundle, "FIRMWARE section of " + length + " bytes does not hold "
                    + entryCount + " entries and " + namesLength + " bytes of names");
        }
        int rowsLength = (int) entryCount * EntryRecord.SIZE;
        ByteBuffer entries = in.slice(FIXED_SIZE, rowsLength).order(ByteOrder.LITTLE_ENDIAN);
        ByteBuffer names = in.slice(FIXED_SIZE + rowsLength, (int) namesLength).order(ByteOrder.LITTLE_ENDIAN);
        return TreeTable.decode(bundle, LABEL, (int) entryCount, dataLength, entries, names);
    }
}
