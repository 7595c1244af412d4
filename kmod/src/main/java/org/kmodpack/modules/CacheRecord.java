package org.kmodpack.modules;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Optional;

/**
 * A small fact about a bundle kept as a text file in the cache directory, to save working it out again: written
 * beside and renamed, so that no reader sees part of one; a record that cannot be read or written (absent, a
 * read-only cache) only means the fact is worked out again.
 */
final class CacheRecord {
    private CacheRecord() {
    }

    /** The record's lines, or empty when there is none to read. */
    static Optional<List<String>> read(Path record) {
        try {
            return Optional.of(Files.readAllLines(record, StandardCharsets.UTF_8));
        } catch (IOException | RuntimeException absent) {
            return Optional.empty();
        }
    }

    static void write(Path record, String text) {
        try {
            Files.createDirectories(record.getParent());
            Path written = Files.createTempFile(record.getParent(), ".record", null);
            try {
                Files.move(Files.writeString(written, text, StandardCharsets.UTF_8), record,
                        StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } finally {
                Files.deleteIfExists(written);
            }
        } catch (IOException e) {
            // not kept: worked out again next time
        }
    }
}
