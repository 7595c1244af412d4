package org.kmodpack.testkernels;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** Byte-level work the tests do: searches in kernel images and module files, damage to bundle files. */
public final class Bytes {
    private Bytes() {
    }

    /** The first index at or after {@code from} where {@code needle} starts in {@code haystack}, or -1. */
    public static int indexOf(byte[] haystack, byte[] needle, int from) {
        outer:
        for (int i = Math.max(0, from); i <= haystack.length - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    /** Flips the bits of {@code mask} in the byte at {@code at} of {@code file}, in place. */
    public static void flip(Path file, long at, int mask) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ByteBuffer one = ByteBuffer.allocate(1);
            channel.read(one, at);
            one.put(0, (byte) (one.get(0) ^ mask));
            channel.write(one.flip(), at);
        }
    }
}
