package org.kmodpack.format;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * A module's modinfo record in the data stream (spec/FORMAT.md, MODULES section): decoded whole, or only the
 * fields asked for, from a record lying anywhere in the bytes read (the whole modinfo blob, say).
 */
class ModinfoRecordTest {
    private static final byte[] FIRST = concat(field(0, "license", "GPL"), field(0, "alias", "pci:v00008086d*"),
            field(ModinfoField.IN_FILE, "signature", reference(4096, 565)), field(0, "softdep", "pre: crc32c"),
            field(0, "alias", "acpi*:INT3F0D:*"));
    private static final byte[] SECOND = concat(field(0, "alias", "fs-btrfs"), field(ModinfoField.HEX, "sig_key",
            "\u0001\u00ab"));

    @Test
    void aRecordDecodesWholeInItsOrder() throws CorruptBundleException {
        List<ModinfoField> fields = ModuleSection.decodeInfo(FIRST, "t.kpack");
        assertEquals(List.of("license", "alias", "signature", "softdep", "alias"),
                fields.stream().map(ModinfoField::key).toList());
        assertEquals("pci:v00008086d*", new String(fields.get(1).value(), StandardCharsets.UTF_8));
        assertTrue(fields.get(2).inFile());
        assertEquals(4096, fields.get(2).fileOffset());
        assertEquals(565, fields.get(2).fileLength());
    }

    @Test
    void aRecordInsideTheBlobGivesOnlyTheFieldsAskedForInItsOrder() throws CorruptBundleException {
        byte[] blob = concat(new byte[] {9, 9, 9}, FIRST, SECOND, new byte[] {7});
        List<ModinfoField> fields = ModuleSection.decodeInfo(blob, 3, FIRST.length, Set.of("alias", "softdep"),
                "t.kpack");
        assertEquals(List.of("alias", "softdep", "alias"), fields.stream().map(ModinfoField::key).toList());
        assertEquals(List.of("pci:v00008086d*", "pre: crc32c", "acpi*:INT3F0D:*"),
                fields.stream().map(field -> new String(field.value(), StandardCharsets.UTF_8)).toList());

        List<ModinfoField> second = ModuleSection.decodeInfo(blob, 3 + FIRST.length, SECOND.length, null, "t.kpack");
        assertEquals(List.of("alias", "sig_key"), second.stream().map(ModinfoField::key).toList());
        assertTrue(second.get(1).hex());
        assertArrayEquals(new byte[] {1, (byte) 0xab}, second.get(1).value());
    }

    @Test
    void fieldsNotAskedForAreCheckedAllTheSame() {
        byte[] blob = concat(FIRST, SECOND);
        // The record cut one byte short: its last field, asked for or not, no longer fits.
        assertCorrupt(() -> ModuleSection.decodeInfo(blob, 0, FIRST.length - 1, Set.of("license"), "t.kpack"),
                "does not fit");
        byte[] badFlags = FIRST.clone();
        badFlags[0] = 0x40;
        assertCorrupt(() -> ModuleSection.decodeInfo(badFlags, 0, badFlags.length, Set.of("alias"), "t.kpack"),
                "flags 64");
    }

    @Test
    void aRecordOutsideTheBytesReadIsRefused() {
        assertCorrupt(() -> ModuleSection.decodeInfo(FIRST, 1, FIRST.length, null, "t.kpack"), "lies outside");
        assertCorrupt(() -> ModuleSection.decodeInfo(FIRST, -1, 2, null, "t.kpack"), "lies outside");
    }

    private interface Decode {
        void run() throws CorruptBundleException;
    }

    private static void assertCorrupt(Decode decode, String reason) {
        CorruptBundleException e = assertThrows(CorruptBundleException.class, decode::run);
        assertTrue(e.getMessage().startsWith("t.kpack"), e.getMessage());
        assertTrue(e.getMessage().contains(reason), e.getMessage());
    }

    private static byte[] field(int flags, String key, String value) {
        return field(flags, key, value.getBytes(StandardCharsets.ISO_8859_1));
    }

    private static byte[] field(int flags, String key, byte[] value) {
        byte[] keyBytes = key.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(7 + keyBytes.length + value.length).order(ByteOrder.LITTLE_ENDIAN)
                .put((byte) flags).putShort((short) keyBytes.length).putInt(value.length).put(keyBytes).put(value)
                .array();
    }

    private static byte[] reference(long offset, int length) {
        return ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN).putLong(offset).putInt(length).array();
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }
}
