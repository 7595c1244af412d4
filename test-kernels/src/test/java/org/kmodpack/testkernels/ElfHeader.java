package org.kmodpack.testkernels;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

/** The identification fields of an ELF header, read independently of any production code. */
record ElfHeader(int elfClass, int data, int type, int machine) {
    static final int CLASS_32 = 1;
    static final int CLASS_64 = 2;
    static final int LITTLE_ENDIAN = 1;
    static final int BIG_ENDIAN = 2;
    static final int RELOCATABLE = 1;

    static ElfHeader read(Path file) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        if (bytes.length < 20 || bytes[0] != 0x7f || bytes[1] != 'E' || bytes[2] != 'L' || bytes[3] != 'F') {
            throw new IOException(file + " is not an ELF file");
        }
        ByteOrder order = bytes[5] == BIG_ENDIAN ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
        ByteBuffer buffer = ByteBuffer.wrap(bytes).order(order);
        return new ElfHeader(bytes[4], bytes[5], buffer.getShort(16), buffer.getShort(18));
    }
}
