package org.kmodpack.modules;

import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * modules.builtin.bin (the names of modules.builtin's lines) and modules.builtin.alias.bin (the aliases of
 * modules.builtin.modinfo's "name.alias=value" strings), read as depmod reads them. An absent source gives an
 * empty file, as depmod leaves it.
 */
final class BuiltinFiles {
    static final String BUILTIN = "modules.builtin";
    static final String BUILTIN_MODINFO = "modules.builtin.modinfo";
    /** depmod reads both files into buffers of PATH_MAX bytes. */
    private static final int PATH_MAX = 4096;

    private BuiltinFiles() {
    }

    static byte[] names(byte[] builtin, Consumer<KmodProblem> problems) {
        if (builtin == null) {
            problems.accept(KmodProblem.of(KmodProblem.Kind.INDEX_INPUT_MISSING, BUILTIN));
            return new byte[0];
        }
        DepmodBin.Writer bin = new DepmodBin.Writer();
        int start = 0;
        while (start < builtin.length) {
            int end = start;
            // fgets: up to and with the newline, at most PATH_MAX - 1 bytes.
            while (end < builtin.length && end - start < PATH_MAX - 1 && builtin[end] != '\n') {
                end++;
            }
            if (end < builtin.length && builtin[end] == '\n' && end - start < PATH_MAX - 1) {
                end++;
            }
            String line = new String(builtin, start, end - start, StandardCharsets.UTF_8);
            start = end;
            char first = line.charAt(0);
            if (!((first >= 'a' && first <= 'z') || (first >= 'A' && first <= 'Z'))) {
                problems.accept(new KmodProblem(KmodProblem.Kind.BUILTIN_LINE_INVALID, BUILTIN, 0, line));
                continue;
            }
            bin.insert(ModuleNames.fromPath(line), "", 0);
        }
        return bin.toBytes();
    }

    /** flush_stream_to's walk: "modname." then "key=" then the value up to NUL; any other shape skips ahead. */
    static byte[] aliases(byte[] modinfo, Consumer<KmodProblem> problems) {
        if (modinfo == null) {
            problems.accept(KmodProblem.of(KmodProblem.Kind.INDEX_INPUT_MISSING, BUILTIN_MODINFO));
            return new byte[0];
        }
        DepmodBin.Writer bin = new DepmodBin.Writer();
        Stream in = new Stream(modinfo);
        while (!in.atEnd()) {
            String module = in.until('.');
            if (module.isEmpty()) {
                continue;
            }
            String key = in.until('=');
            if (!key.equals("alias")) {
                in.skipUntil((byte) 0);
                continue;
            }
            String value = in.until((char) 0);
            if (value.isEmpty()) {
                continue;
            }
            Optional<String> alias = ModuleNames.underscores(value);
            if (alias.isEmpty()) {
                problems.accept(KmodProblem.of(KmodProblem.Kind.ALIAS_UNMATCHED_BRACKET, value));
                continue;
            }
            bin.insert(alias.get(), module, 0);
        }
        return bin.toBytes();
    }

    /** A FILE read with fgetc, at end once a read has hit the end. */
    private static final class Stream {
        private final byte[] bytes;
        private int at;
        private boolean eof;

        Stream(byte[] bytes) {
            this.bytes = bytes;
        }

        boolean atEnd() {
            return eof;
        }

        private int next() {
            if (at >= bytes.length) {
                eof = true;
                return -1;
            }
            return bytes[at++] & 0xFF;
        }

        /**
         * flush_stream_to: the bytes before {@code end}, or "" when a NUL or the end of the file comes first;
         * at most PATH_MAX bytes are kept, the last one dropped when the buffer fills.
         */
        String until(char end) {
            StringBuilder kept = new StringBuilder();
            int c = next();
            while (c != -1 && c != end && c != 0 && kept.length() < PATH_MAX) {
                kept.append((char) c);
                c = next();
            }
            if (kept.length() == PATH_MAX) {
                kept.setLength(PATH_MAX - 1);
            }
            if (c != end) {
                return "";
            }
            return new String(kept.toString().getBytes(StandardCharsets.ISO_8859_1), StandardCharsets.UTF_8);
        }

        void skipUntil(byte end) {
            int c = next();
            while (c != -1 && c != end && c != 0) {
                c = next();
            }
        }
    }
}
