package org.kmodpack.format;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * A string pool as the format stores them (NAMES, the module section's pool): each distinct byte string once,
 * in the order first added, referred to by its offset. Names repeat across directories, symlink targets,
 * aliases, symbols and dependency lists.
 */
public final class BytePool {
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final Map<String, Integer> offsets = new HashMap<>();

    /** The offset of {@code value} in the pool, adding it if it is new. */
    public int add(byte[] value) {
        // ISO-8859-1 maps every byte to one char: a lossless key for any byte string.
        return offsets.computeIfAbsent(new String(value, StandardCharsets.ISO_8859_1), k -> {
            int offset = bytes.size();
            bytes.writeBytes(value);
            return offset;
        });
    }

    public byte[] bytes() {
        return bytes.toByteArray();
    }
}
