package org.kmodpack.format;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The FIRMWARE section (spec/FORMAT.md section 16.1): its tree decodes as ENTRIES and NAMES do, and every malformed
 * shape, of the section or of its tree, is refused naming the bundle.
 */
class FirmwareSectionTest {
    /** Files of the firmware tree lie in a data stream this long. */
    private static final long DATA_LENGTH = 13;
    private static final byte[] NAMES = "a.binlink".getBytes(StandardCharsets.UTF_8);
    private static final int ROOT = 0;
    private static final int FILE = 1;
    private static final int ENTRY_ROWS_AT = 16;

    private static List<EntryRecord> rows(long fileRef) {
        return List.of(
                new EntryRecord(0, 0, EntryKind.DIRECTORY, 0, 0755, 0, 0, 0, 0, 1, 2, 1),
                new EntryRecord(0, 5, EntryKind.FILE, 0, 0644, 0, 0, 0, 0, 2, 3, fileRef),
                new EntryRecord(5, 4, EntryKind.SYMLINK, 0, 0777, 0, 0, 0, 0, 3, 5, 0));
    }

    @Test
    void whatIsEncodedDecodes() throws CorruptBundleException {
        TreeTable tree = FirmwareSection.decode(ByteBuffer.wrap(FirmwareSection.encode(rows(10), NAMES)),
                DATA_LENGTH, "t.kpack");
        assertEquals(3, tree.entryCount());
        assertEquals(rows(10), List.of(tree.entry(0), tree.entry(1), tree.entry(2)));
        assertEquals(1, tree.findChild(tree.entry(ROOT), "a.bin".getBytes(StandardCharsets.UTF_8)));
        assertEquals(-1, tree.findChild(tree.entry(ROOT), "b.bin".getBytes(StandardCharsets.UTF_8)));
        assertArrayEquals("a.bin".getBytes(StandardCharsets.UTF_8), tree.symlinkTarget(tree.entry(2)));
        assertEquals(3, tree.linkCount(tree.entry(ROOT)) + tree.linkCount(tree.entry(FILE)));
    }

    @Test
    void malformedSectionsAreRefusedNamingTheBundle() {
        byte[] good = FirmwareSection.encode(rows(10), NAMES);
        assertCorrupt(Forge.withInt(good, 0, 0), "magic");
        UnsupportedBundleException version = assertThrows(UnsupportedBundleException.class,
                () -> FirmwareSection.decode(ByteBuffer.wrap(Forge.withInt(good, 4, 2)), DATA_LENGTH,
                        "t.kpack"));
        assertTrue(version.getMessage().contains("FIRMWARE section version 2"), version.getMessage());
        assertCorrupt(Forge.withInt(good, 8, 0), "does not hold 0 entries");
        assertCorrupt(Forge.withInt(good, 8, 4), "does not hold 4 entries");
        assertCorrupt(Forge.withInt(good, 8, -1), "does not hold 4294967295 entries");
        assertCorrupt(Forge.withInt(good, 12, 10), "and 10 bytes of names");
        assertCorrupt(java.util.Arrays.copyOf(good, good.length + 1), "does not hold");
        assertCorrupt(java.util.Arrays.copyOf(good, 8), "magic");
    }

    @Test
    void itsTreeIsCheckedAsTheModuleTreeIs() {
        assertCorrupt(FirmwareSection.encode(rows(11), NAMES), "firmware file a.bin claims bytes 11 to 14");
        byte[] notRoot = Forge.withInt(FirmwareSection.encode(rows(10), NAMES), ENTRY_ROWS_AT + 8, 1);
        assertCorrupt(notRoot, "firmware entry 0 is not the root directory");
        byte[] nameOutside = Forge.withInt(FirmwareSection.encode(rows(10), NAMES),
                ENTRY_ROWS_AT + EntryRecord.SIZE, 7);
        assertCorrupt(nameOutside, "outside the firmware name pool");
    }

    private static void assertCorrupt(byte[] section, String reason) {
        HostileBundles.sectionRefused(() -> FirmwareSection.decode(ByteBuffer.wrap(section), DATA_LENGTH, "t.kpack"),
                reason);
    }
}
