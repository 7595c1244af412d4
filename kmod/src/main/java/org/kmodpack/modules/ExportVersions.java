package org.kmodpack.modules;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import org.kmodpack.reader.Bundle;
import org.kmodpack.reader.Entry;

/**
 * The versions (CRCs) of a base module's exports, which only the module's file holds: it sits in a block of the
 * data stream (2 MiB by default) that would be decompressed and checked at every check of layers needing one of
 * its symbols, so they are kept in {@code CACHE/export-versions/INDEX/MODULE}, INDEX the SHA-256 of the base's
 * index (which commits to every file's bytes), and read from there later.
 */
final class ExportVersions {
    private static final String HEADER = "kmodpack export versions 1";
    /** Module names that can name a record file as they are. */
    private static final Pattern RECORD_NAME = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_-]*");

    private ExportVersions() {
    }

    /**
     * Each symbol the base module file {@code path} exports, with its version: from the record in
     * {@code cacheDirectory} (null for none) when it holds one for this file, else from the file (and recorded).
     * None when the base has no such file or it cannot be parsed.
     */
    static Map<String, Long> of(Bundle base, String path, Path cacheDirectory) throws IOException {
        String name = ModuleNames.fromPath(path);
        Path record = cacheDirectory == null || !RECORD_NAME.matcher(name).matches() ? null
                : cacheDirectory.resolve("export-versions").resolve(HexFormat.of().formatHex(base.indexSha256()))
                        .resolve(name);
        Optional<Map<String, Long>> recorded = record == null ? Optional.empty() : read(record, path);
        if (recorded.isPresent()) {
            return recorded.get();
        }
        Entry file = base.find(path).filter(Entry::isFile).orElse(null);
        if (file == null) {
            return Map.of();
        }
        ModuleSymbols symbols = ModuleSymbols.read(path, ByteBuffer.wrap(base.readAllBytes(file)));
        Map<String, Long> versions = new HashMap<>();
        StringBuilder text = new StringBuilder(HEADER).append('\n').append(path).append('\n');
        for (ModuleSymbols.Symbol export : symbols.exports()) {
            versions.put(export.name(), export.crc());
            text.append(export.name()).append(' ').append(Long.toHexString(export.crc())).append('\n');
        }
        if (record != null && symbols.errno() == 0) {
            write(record, text.toString());
        }
        return versions;
    }

    /** The record, if it is one for {@code path}. */
    private static Optional<Map<String, Long>> read(Path record, String path) {
        List<String> lines;
        try {
            lines = Files.readAllLines(record, StandardCharsets.UTF_8);
        } catch (IOException | RuntimeException absent) {
            return Optional.empty();
        }
        if (lines.size() < 2 || !lines.get(0).equals(HEADER) || !lines.get(1).equals(path)) {
            return Optional.empty();
        }
        Map<String, Long> versions = new HashMap<>();
        for (String line : lines.subList(2, lines.size())) {
            int space = line.indexOf(' ');
            try {
                versions.put(line.substring(0, space), Long.parseUnsignedLong(line.substring(space + 1), 16));
            } catch (RuntimeException damaged) {
                return Optional.empty();
            }
        }
        return Optional.of(versions);
    }

    /**
     * Writes the record beside and renames it, so no reader sees part of one; one that cannot be written (a
     * read-only cache, say) only means the next check reads the module again.
     */
    private static void write(Path record, String text) {
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
            // no record: the next check reads the module again
        }
    }
}
