package org.kmodpack.packer;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.kmodpack.format.ModuleSection.Key;
import org.kmodpack.format.ModuleSection.Value;

/**
 * Reads one of depmod's binary tries (modules.dep.bin, modules.alias.bin, ...), the files kmod itself searches:
 * big-endian, magic 0xB007F457, major version 2, nodes with optional prefix, children and values. Returns every
 * key with its values in stored order. Offsets are followed, not assumed, and checked against the file.
 */
final class DepmodIndex {
    private static final int MAGIC = 0xB007F457;
    private static final int FLAG_PREFIX = 0x80000000;
    private static final int FLAG_VALUES = 0x40000000;
    private static final int FLAG_CHILDREN = 0x20000000;
    private static final int OFFSET_MASK = 0x0FFFFFFF;
    private static final int MAX_DEPTH = 4096;

    private final String file;
    private final ByteBuffer bytes;
    private final List<Key> keys = new ArrayList<>();
    private long visits;

    private DepmodIndex(String file, ByteBuffer bytes) {
        this.file = file;
        this.bytes = bytes;
    }

    static List<Key> read(Path path) throws IOException {
        DepmodIndex index = new DepmodIndex(path.toString(),
                ByteBuffer.wrap(Files.readAllBytes(path)).order(ByteOrder.BIG_ENDIAN));
        return index.read();
    }

    private List<Key> read() throws IOException {
        if (bytes.remaining() < 12 || bytes.getInt(0) != MAGIC) {
            throw invalid("no depmod index magic");
        }
        if (bytes.getInt(4) >>> 16 != 2) {
            throw invalid("depmod index version 0x" + Integer.toHexString(bytes.getInt(4)) + " (kmod reads major 2)");
        }
        walk(bytes.getInt(8), new StringBuilder(), 0);
        return keys;
    }

    private void walk(int pointer, StringBuilder key, int depth) throws IOException {
        int at = pointer & OFFSET_MASK;
        if (at == 0) {
            return;
        }
        // Nodes of a real trie are disjoint, so there are fewer than bytes; more means shared or looping nodes,
        // which could otherwise make the walk exponential.
        if (depth > MAX_DEPTH || ++visits > bytes.limit()) {
            throw invalid("trie nodes are shared or loop");
        }
        int mark = key.length();
        if ((pointer & FLAG_PREFIX) != 0) {
            int end = nul(at);
            key.append(new String(bytes.array(), at, end - at, StandardCharsets.ISO_8859_1));
            at = end + 1;
        }
        int first = 0;
        int last = -1;
        int children = at;
        if ((pointer & FLAG_CHILDREN) != 0) {
            need(at, 2);
            first = bytes.get(at) & 0xFF;
            last = bytes.get(at + 1) & 0xFF;
            children = at + 2;
            at = children + 4 * Math.max(0, last - first + 1);
            need(children, at - children);
        }
        if ((pointer & FLAG_VALUES) != 0) {
            need(at, 4);
            int count = bytes.getInt(at);
            at += 4;
            if (count < 0 || count > bytes.remaining() / 5) {
                throw invalid("node at " + (pointer & OFFSET_MASK) + " claims " + Integer.toUnsignedString(count)
                        + " values");
            }
            List<Value> values = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                need(at, 4);
                int priority = bytes.getInt(at);
                int end = nul(at + 4);
                values.add(new Value(utf8(at + 4, end), priority));
                at = end + 1;
            }
            keys.add(new Key(toUtf8(key), values));
        }
        for (int c = first; c <= last; c++) {
            key.append((char) c);
            walk(bytes.getInt(children + 4 * (c - first)), key, depth + 1);
            key.setLength(key.length() - 1);
        }
        key.setLength(mark);
    }

    /** Keys are bytes; collected as ISO-8859-1 chars and decoded as UTF-8 once complete. */
    private static String toUtf8(StringBuilder key) {
        return new String(key.toString().getBytes(StandardCharsets.ISO_8859_1), StandardCharsets.UTF_8);
    }

    private String utf8(int from, int to) {
        return new String(bytes.array(), from, to - from, StandardCharsets.UTF_8);
    }

    private int nul(int from) throws IOException {
        for (int i = from; i < bytes.limit(); i++) {
            if (bytes.get(i) == 0) {
                return i;
            }
        }
        throw invalid("string at " + from + " runs past the end of the file");
    }

    private void need(int at, int length) throws IOException {
        if (at < 0 || length < 0 || at > bytes.limit() - length) {
            throw invalid("node data at " + at + " runs past the end of the " + bytes.limit() + "-byte file");
        }
    }

    private IOException invalid(String problem) {
        return new IOException(file + ": " + problem + "; run depmod again on the tree");
    }
}
