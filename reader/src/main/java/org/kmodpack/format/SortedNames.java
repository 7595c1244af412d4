package org.kmodpack.format;

import java.nio.ByteBuffer;
import java.util.function.IntUnaryOperator;

/**
 * The one order of the format's sorted tables (directory children, the module section's name tables): names
 * compared as unsigned bytes, a prefix before what it prefixes.
 */
final class SortedNames {
    private SortedNames() {
    }

    /** Binary search of rows {@code low..high} given each row's order against the key; -1 if none is equal. */
    static int search(int low, int high, IntUnaryOperator rowAgainstKey) {
        while (low <= high) {
            int mid = (low + high) >>> 1;
            int order = rowAgainstKey.applyAsInt(mid);
            if (order < 0) {
                low = mid + 1;
            } else if (order > 0) {
                high = mid - 1;
            } else {
                return mid;
            }
        }
        return -1;
    }

    /** The order of {@code length} bytes of {@code buffer} at {@code offset} against {@code key[0..keyLength)}. */
    static int compare(ByteBuffer buffer, int offset, int length, byte[] key, int keyLength) {
        int common = Math.min(length, keyLength);
        for (int i = 0; i < common; i++) {
            int order = Integer.compare(Byte.toUnsignedInt(buffer.get(offset + i)), Byte.toUnsignedInt(key[i]));
            if (order != 0) {
                return order;
            }
        }
        return Integer.compare(length, keyLength);
    }
}
