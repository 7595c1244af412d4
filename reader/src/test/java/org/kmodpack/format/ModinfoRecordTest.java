package org.kmodpack.format;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A module's modinfo record in the data stream (spec/FORMAT.md, MODULES section): its fields in order, every length
 * checked against the record.
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
    void aRecordThatDoesNotHoldItsFieldsIsRefused() {
        // Cut one byte short: its last field no longer fits.
        assertCorrupt(() -> ModuleSection.decodeInfo(Arrays.copyOf(FIRST, FIRST.length - 1), "t.kpack"),
                "does not fit");
        byte[] badFlags = FIRST.clone();
        badFlags[0] = 0x40;
        assertCorrupt(() -> ModuleSection.decodeInfo(badFlags, "t.kpack"), "flags 64");
        assertCorrupt(() -> ModuleSection.decodeInfo(Arrays.copyOf(SECOND, 3), "t.kpack"), "inside an entry header");
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
