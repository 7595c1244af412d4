package org.kmodpack.modules;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Arrays;
import org.kmodpack.format.ModuleContent.Key;
import org.kmodpack.format.ModuleContent.Value;

/**
 * depmod's binary index files (modules.dep.bin, modules.alias.bin, ...), the tries kmod itself searches, read
 * and written from this one definition: big-endian; a header of magic 0xB007F457, version 2.1 and the root
 * node's pointer; a node pointer is an offset with flags saying which parts the node has: a NUL-terminated
 * prefix, children (first and last byte, then one pointer per byte in between) and values (a count, then
 * priority and NUL-terminated text each).
 */
public final class DepmodBin {
    private static final int MAGIC = 0xB007F457;
    private static final int VERSION = 0x00020001;
    /** kmod reads any minor version of major 2. */
    private static final int MAJOR_VERSION = 2;
    private static final int HEADER_MAGIC = 0;
    private static final int HEADER_VERSION = 4;
    private static final int HEADER_ROOT = 8;
    private static final int HEADER_SIZE = 12;
    private static final int FLAG_PREFIX = 0x80000000;
    private static final int FLAG_VALUES = 0x40000000;
    private static final int FLAG_CHILDREN = 0x20000000;
    private static final int OFFSET_MASK = 0x0FFFFFFF;
    private static final int MAX_DEPTH = 4096;

    private final String file;
    private final ByteBuffer bytes;
    private final List<Key> keys = new ArrayList<>();
    private long visits;

    private DepmodBin(String file, ByteBuffer bytes) {
        this.file = file;
        this.bytes = bytes;
    }

    /**
     * Every key of the file with its values in stored order. Offsets are followed, not assumed, and checked
     * against the file.
     */
    public static List<Key> read(Path path) throws IOException {
        return read(path.toString(), Files.readAllBytes(path));
    }

    /** As {@link #read(Path)}, for the bytes of the index {@code file} (named in errors). */
    public static List<Key> read(String file, byte[] bytes) throws IOException {
        return new DepmodBin(file, ByteBuffer.wrap(bytes).order(ByteOrder.BIG_ENDIAN)).read();
    }

    private List<Key> read() throws IOException {
        // depmod leaves an index with nothing to hold empty (modules.builtin.bin of a tree without
        // modules.builtin), and kmod finds nothing in it.
        if (bytes.limit() == 0) {
            return keys;
        }
        if (bytes.remaining() < HEADER_SIZE || bytes.getInt(HEADER_MAGIC) != MAGIC) {
            throw invalid("no depmod index magic");
        }
        if (bytes.getInt(HEADER_VERSION) >>> 16 != MAJOR_VERSION) {
            throw invalid("depmod index version 0x" + Integer.toHexString(bytes.getInt(HEADER_VERSION))
                    + " (kmod reads major " + MAJOR_VERSION + ")");
        }
        walk(bytes.getInt(HEADER_ROOT), new StringBuilder(), 0);
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

    /**
     * Writes an index (version 2.1) byte for byte as depmod's index code does: below the root (which never has a
     * prefix), chains of single-child, value-less nodes folded into prefixes; children written before their
     * parent; the values of a key in ascending unsigned priority, a value inserted before those of equal
     * priority; a value inserted twice is stored twice, as depmod stores it.
     */
    public static final class Writer {
        private record Entry(byte[] key, int priority, long sequence, String text) {
        }

        /** Keys in byte order; a key's values by unsigned priority, the later inserted first among equals. */
        private static int order(Entry a, Entry b) {
            int key = Arrays.compareUnsigned(a.key, b.key);
            if (key != 0) {
                return key;
            }
            int priority = Integer.compareUnsigned(a.priority, b.priority);
            return priority != 0 ? priority : Long.compare(b.sequence, a.sequence);
        }

        private final List<Entry> entries = new ArrayList<>();

        /** Adds a value under a key (ASCII); {@code priority} is compared unsigned, as depmod's is. */
        public void insert(String key, String value, int priority) {
            insert(key.getBytes(StandardCharsets.UTF_8), value, priority);
        }

        /** As {@link #insert(String, String, int)}, the key given as its bytes (not copied). */
        public void insert(byte[] key, String value, int priority) {
            for (byte b : key) {
                if (b < 0) {
                    throw new IllegalArgumentException("depmod index keys are ASCII; not: "
                            + new String(key, StandardCharsets.UTF_8));
                }
            }
            entries.add(new Entry(key, priority, entries.size(), value));
        }

        /**
         * The trie is laid out from the sorted keys without building it: the keys under a node are a range of
         * the sorted list, its prefix their common part while none ends and all agree, its children the
         * sub-ranges that agree on the next byte.
         */
        public byte[] toBytes() {
            Entry[] sorted = entries.toArray(new Entry[0]);
            Arrays.sort(sorted, Writer::order);
            // Sized for the keys and values and half as much again for the child tables, it rarely grows.
            long estimate = HEADER_SIZE;
            for (Entry entry : sorted) {
                estimate += entry.key.length + entry.text.length() + 9;
            }
            Out out = new Out((int) Math.min(estimate * 3 / 2, Integer.MAX_VALUE - 8));
            out.u32(MAGIC);
            out.u32(VERSION);
            out.u32(0);
            int rootPointer = write(sorted, 0, sorted.length, 0, false, out);
            byte[] bytes = out.toByteArray();
            ByteBuffer.wrap(bytes).putInt(HEADER_ROOT, rootPointer);
            return bytes;
        }

        private static int write(Entry[] sorted, int from, int to, int depth, boolean folds, Out out) {
            int end = depth;
            if (folds) {
                // Sorted keys: the first is the shortest of those sharing a byte, so it alone can end here.
                byte[] first = sorted[from].key;
                byte[] last = sorted[to - 1].key;
                while (first.length > end && last.length > end && first[end] == last[end]) {
                    end++;
                }
            }
            int values = from;
            while (values < to && sorted[values].key.length == end) {
                values++;
            }
            int firstChild = values < to ? sorted[values].key[end] : 0;
            int lastChild = values < to ? sorted[to - 1].key[end] : -1;
            int[] childPointers = new int[lastChild - firstChild + 1];
            for (int at = values; at < to;) {
                byte c = sorted[at].key[end];
                int next = at;
                while (next < to && sorted[next].key[end] == c) {
                    next++;
                }
                childPointers[c - firstChild] = write(sorted, at, next, end + 1, true, out);
                at = next;
            }
            int pointer = out.size();
            if (end > depth) {
                out.write(sorted[from].key, depth, end - depth);
                out.write(0);
                pointer |= FLAG_PREFIX;
            }
            if (childPointers.length > 0) {
                out.write(firstChild);
                out.write(lastChild);
                for (int p : childPointers) {
                    out.u32(p);
                }
                pointer |= FLAG_CHILDREN;
            }
            if (values > from) {
                out.u32(values - from);
                for (int v = from; v < values; v++) {
                    out.u32(sorted[v].priority);
                    out.writeBytes(sorted[v].text.getBytes(StandardCharsets.UTF_8));
                    out.write(0);
                }
                pointer |= FLAG_VALUES;
            }
            return pointer;
        }

        /** A growing byte array (ByteArrayOutputStream's methods are synchronized, which costs here). */
        private static final class Out {
            private byte[] bytes;
            private int size;

            Out(int capacity) {
                bytes = new byte[capacity];
            }

            int size() {
                return size;
            }

            private void ensure(int more) {
                if (size + more > bytes.length) {
                    bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, size + more));
                }
            }

            void write(int b) {
                ensure(1);
                bytes[size++] = (byte) b;
            }

            void write(byte[] from, int offset, int length) {
                ensure(length);
                System.arraycopy(from, offset, bytes, size, length);
                size += length;
            }

            void writeBytes(byte[] from) {
                write(from, 0, from.length);
            }

            void u32(int v) {
                ensure(4);
                bytes[size++] = (byte) (v >>> 24);
                bytes[size++] = (byte) (v >>> 16);
                bytes[size++] = (byte) (v >>> 8);
                bytes[size++] = (byte) v;
            }

            byte[] toByteArray() {
                return Arrays.copyOf(bytes, size);
            }
        }
    }
}
