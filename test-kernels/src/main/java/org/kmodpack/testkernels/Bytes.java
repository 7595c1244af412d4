package org.kmodpack.testkernels;

/** Byte-array searches the tests need on kernel images and module files. */
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
}
