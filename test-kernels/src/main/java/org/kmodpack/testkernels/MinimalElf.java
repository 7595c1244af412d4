package org.kmodpack.testkernels;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/** The smallest ELF relocatable object with a .modinfo section, of either class and byte order, built in memory. */
public final class MinimalElf {
    private MinimalElf() {
    }

    /** Header, .modinfo, .shstrtab, then the section table: null section, .modinfo, .shstrtab. */
    public static byte[] relocatable(boolean is64, ByteOrder order, byte[] modinfo) {
        byte[] names = "\0.modinfo\0.shstrtab\0".getBytes(StandardCharsets.US_ASCII);
        int header = is64 ? 64 : 52;
        int entry = is64 ? 64 : 40;
        int modinfoAt = header;
        int namesAt = modinfoAt + modinfo.length;
        int tableAt = (namesAt + names.length + 7) & ~7;
        ByteBuffer b = ByteBuffer.allocate(tableAt + 3 * entry).order(order);
        byte data = (byte) (order == ByteOrder.LITTLE_ENDIAN ? 1 : 2);
        b.put(new byte[] {0x7F, 'E', 'L', 'F', (byte) (is64 ? 2 : 1), data, 1});
        b.putShort(16, (short) 1); // ET_REL
        if (is64) {
            b.putLong(0x28, tableAt).putShort(0x3A, (short) entry).putShort(0x3C, (short) 3).putShort(0x3E, (short) 2);
        } else {
            b.putInt(0x20, tableAt).putShort(0x2E, (short) entry).putShort(0x30, (short) 3).putShort(0x32, (short) 2);
        }
        b.put(modinfoAt, modinfo).put(namesAt, names);
        section(b, is64, tableAt + entry, 1, modinfoAt, modinfo.length);
        section(b, is64, tableAt + 2 * entry, 10, namesAt, names.length);
        return b.array();
    }

    private static void section(ByteBuffer b, boolean is64, int at, int name, int offset, int size) {
        b.putInt(at, name).putInt(at + 4, 1);
        if (is64) {
            b.putLong(at + 0x18, offset).putLong(at + 0x20, size);
        } else {
            b.putInt(at + 0x10, offset).putInt(at + 0x14, size);
        }
    }
}
