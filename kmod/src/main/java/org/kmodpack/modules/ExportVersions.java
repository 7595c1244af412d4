package org.kmodpack.modules;

import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import org.kmodpack.reader.Bundle;

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
        ModuleSymbols symbols = ModuleSymbols.read(base, path);
        Map<String, Long> versions = new HashMap<>();
        StringBuilder text = new StringBuilder(HEADER).append('\n').append(path).append('\n');
        for (ModuleSymbols.Symbol export : symbols.exports()) {
            versions.put(export.name(), export.crc());
            text.append(export.name()).append(' ').append(Long.toHexString(export.crc())).append('\n');
        }
        if (record != null && symbols.errno() == 0) {
            CacheRecord.write(record, text.toString());
        }
        return versions;
    }

    /** The record, if it is one for {@code path}. */
    private static Optional<Map<String, Long>> read(Path record, String path) {
        Optional<List<String>> read = CacheRecord.read(record);
        if (read.isEmpty()) {
            return Optional.empty();
        }
        List<String> lines = read.get();
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
}
