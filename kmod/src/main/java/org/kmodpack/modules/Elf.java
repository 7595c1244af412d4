package org.kmodpack.modules;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The section table of an ELF32 or ELF64 object of either byte order, enough to find a section by name. Every
 * offset, size and count is checked against the file before use, so hostile input gives an {@link IOException}
 * naming the file, never an out-of-range read or a huge allocation.
 */
final class Elf {
    private final String file;
    private final ByteBuffer bytes;
    private final boolean is64;
    private final int machine;
    private final long sectionTable;
    private final int sectionCount;
    private final int entrySize;
    /** The section name table, copied once: every lookup compares names in it byte by byte. */
    private final byte[] names;

    private Elf(String file, ByteBuffer bytes) throws IOException {
        this.file = file;
        this.bytes = bytes;
        if (bytes.remaining() < 16 || bytes.get(0) != 0x7F || bytes.get(1) != 'E' || bytes.get(2) != 'L'
                || bytes.get(3) != 'F') {
            throw invalid("not an ELF file (no \\x7fELF magic)");
        }
        int elfClass = bytes.get(4);
        int data = bytes.get(5);
        if ((elfClass != 1 && elfClass != 2) || (data != 1 && data != 2)) {
            throw invalid("unknown ELF class " + elfClass + " or byte order " + data);
        }
        is64 = elfClass == 2;
        bytes.order(data == 1 ? ByteOrder.LITTLE_ENDIAN : ByteOrder.BIG_ENDIAN);
        int headerSize = is64 ? 64 : 52;
        if (bytes.remaining() < headerSize) {
            throw invalid("truncated ELF header: " + bytes.remaining() + " of " + headerSize + " bytes");
        }
        machine = Short.toUnsignedInt(bytes.getShort(0x12));
        sectionTable = is64 ? bytes.getLong(0x28) : Integer.toUnsignedLong(bytes.getInt(0x20));
        entrySize = Short.toUnsignedInt(bytes.getShort(is64 ? 0x3A : 0x2E));
        sectionCount = Short.toUnsignedInt(bytes.getShort(is64 ? 0x3C : 0x30));
        int namesIndex = Short.toUnsignedInt(bytes.getShort(is64 ? 0x3E : 0x32));
        int expectedEntry = is64 ? 64 : 40;
        if (entrySize != expectedEntry) {
            throw invalid("section header size " + entrySize + " is not " + expectedEntry);
        }
        if (sectionTable < 0 || sectionTable > bytes.remaining()
                || (long) sectionCount * entrySize > bytes.remaining() - sectionTable) {
            throw invalid("section table at " + Long.toUnsignedString(sectionTable) + " with " + sectionCount
                    + " entries does not fit in the " + bytes.remaining() + "-byte file");
        }
        if (namesIndex >= sectionCount) {
            throw invalid("section name table index " + namesIndex + " is not below the section count "
                    + sectionCount);
        }
        long namesOffset = sectionOffset(namesIndex);
        long namesSize = sectionSize(namesIndex);
        if (namesSize == 0 || bytes.get((int) (namesOffset + namesSize - 1)) != 0) {
            throw invalid("section name table does not end with NUL");
        }
        names = new byte[(int) namesSize];
        bytes.get((int) namesOffset, names);
    }

    static Elf parse(String file, byte[] contents) throws IOException {
        return new Elf(file, ByteBuffer.wrap(contents));
    }

    /** Parses {@code contents} from its position to its limit without copying it (it may be a mapping). */
    static Elf parse(String file, ByteBuffer contents) throws IOException {
        return new Elf(file, contents.slice());
    }

    boolean is64() {
        return is64;
    }

    /** e_machine. */
    int machine() {
        return machine;
    }

    /** The whole file, in the file's byte order; absolute reads only. */
    ByteBuffer bytes() {
        return bytes;
    }

    /**
     * libkmod's kmod_elf_get_section: the first section after the null one with this name, sections that lie
     * outside the file or whose name lies outside the name table passed over; a view of the file (no copy, in
     * the file's byte order), or null when there is none.
     */
    ByteBuffer find(String name) {
        byte[] wanted = name.getBytes(StandardCharsets.US_ASCII);
        for (int i = 1; i < sectionCount; i++) {
            long nameAt = Integer.toUnsignedLong(bytes.getInt(header(i)));
            if (nameAt < names.length && nameEquals((int) nameAt, wanted)) {
                ByteBuffer contents = sectionAt(i);
                if (contents != null) {
                    return contents;
                }
            }
        }
        return null;
    }

    /** Section {@code index}'s contents as a view of the file, or null for the null section, a missing one or one outside the file. */
    ByteBuffer sectionAt(int index) {
        if (index <= 0 || index >= sectionCount) {
            return null;
        }
        int at = header(index);
        long offset = is64 ? bytes.getLong(at + 0x18) : Integer.toUnsignedLong(bytes.getInt(at + 0x10));
        long size = is64 ? bytes.getLong(at + 0x20) : Integer.toUnsignedLong(bytes.getInt(at + 0x14));
        if (offset < 0 || size < 0 || offset > bytes.limit() || size > bytes.limit() - offset) {
            return null;
        }
        return bytes.slice((int) offset, (int) size).order(bytes.order());
    }

    /** The contents of the first section named {@code name}, or null when there is none. */
    byte[] section(String name) throws IOException {
        byte[] wanted = name.getBytes(StandardCharsets.US_ASCII);
        for (int i = 0; i < sectionCount; i++) {
            long nameAt = Integer.toUnsignedLong(bytes.getInt(header(i)));
            if (nameAt >= names.length || !nameEquals((int) nameAt, wanted)) {
                continue;
            }
            long offset = sectionOffset(i);
            long size = sectionSize(i);
            byte[] contents = new byte[(int) size];
            bytes.get((int) offset, contents);
            return contents;
        }
        return null;
    }

    /** Whether the name at {@code at} of the name table is {@code wanted} (and ends there). */
    private boolean nameEquals(int at, byte[] wanted) {
        return at + wanted.length < names.length && names[at + wanted.length] == 0
                && Arrays.equals(names, at, at + wanted.length, wanted, 0, wanted.length);
    }

    private int header(int i) {
        return (int) (sectionTable + (long) i * entrySize);
    }

    private long sectionOffset(int i) throws IOException {
        int at = header(i);
        long offset = is64 ? bytes.getLong(at + 0x18) : Integer.toUnsignedLong(bytes.getInt(at + 0x10));
        long size = is64 ? bytes.getLong(at + 0x20) : Integer.toUnsignedLong(bytes.getInt(at + 0x14));
        if (offset < 0 || size < 0 || offset > bytes.remaining() || size > bytes.remaining() - offset) {
            throw invalid("section " + i + " at " + Long.toUnsignedString(offset) + " with "
                    + Long.toUnsignedString(size) + " bytes lies outside the " + bytes.remaining() + "-byte file");
        }
        return offset;
    }

    private long sectionSize(int i) throws IOException {
        sectionOffset(i);
        int at = header(i);
        return is64 ? bytes.getLong(at + 0x20) : Integer.toUnsignedLong(bytes.getInt(at + 0x14));
    }

    private IOException invalid(String problem) {
        return new IOException(file + ": " + problem + "; the module is damaged, rebuild or reinstall it");
    }
}
