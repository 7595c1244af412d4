package org.kmodpack.format;

import static org.kmodpack.format.ModuleSectionLayout.HAS_BUILTIN_MODINFO;
import static org.kmodpack.format.ModuleSectionLayout.HEADER_SIZE;
import static org.kmodpack.format.ModuleSectionLayout.INFO_ENTRY_HEADER;
import static org.kmodpack.format.ModuleSectionLayout.MAGIC;
import static org.kmodpack.format.ModuleSectionLayout.RECORD_SIZE;
import static org.kmodpack.format.ModuleSectionLayout.TABLES;
import static org.kmodpack.format.ModuleSectionLayout.VERSION;
import static org.kmodpack.format.ModuleSectionLayout.align4;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import org.kmodpack.format.ModuleContent.BuiltinInfo;
import org.kmodpack.format.ModuleContent.Key;
import org.kmodpack.format.ModuleContent.Module;
import org.kmodpack.format.ModuleContent.Value;

/**
 * Lays out a MODULES section and the modinfo blob that goes with it; tables are sorted here so that the
 * packer cannot get the order wrong. Strings live once in one pool.
 */
public final class ModuleSectionEncoder {
    /**
     * The section and the modinfo blob that goes at {@code modinfoOffset} of the data stream; {@code records} are
     * the blob's records in order, each under the name of its module or builtin module.
     */
    public record Encoded(byte[] section, byte[] modinfo, List<BlobRecord> records) {
    }

    /** A record of the modinfo blob: its module's name and its length in bytes. */
    public record BlobRecord(String name, int length) {
    }

    private ModuleSectionEncoder() {
    }

    /** Encodes {@code content}; the packer appends the modinfo blob to the data stream at {@code modinfoOffset}. */
    public static Encoded encode(ModuleContent content, long modinfoOffset) {
        BytePool pool = new BytePool();
        List<Module> modules = new ArrayList<>(content.modules());
        // Dependencies are given as indexes into content.modules(); renumber them after sorting by name.
        Integer[] order = new Integer[modules.size()];
        Arrays.setAll(order, i -> i);
        Arrays.sort(order, Comparator.comparing(i -> utf8(modules.get(i).name()), Arrays::compareUnsigned));
        int[] newIndex = new int[order.length];
        for (int i = 0; i < order.length; i++) {
            newIndex[order[i]] = i;
        }
        ByteBuffer moduleTable = table(modules.size() * ModuleSectionLayout.MODULE_SIZE);
        ByteArrayOutputStream deps = new ByteArrayOutputStream();
        ByteArrayOutputStream blob = new ByteArrayOutputStream();
        List<BlobRecord> records = new ArrayList<>();
        int depCount = 0;
        for (Integer i : order) {
            Module m = modules.get(i);
            ref(moduleTable, pool, utf8(m.name()));
            ref(moduleTable, pool, utf8(m.path()));
            moduleTable.putInt(m.entry()).putInt(depCount).putInt(m.deps().length);
            for (int dep : m.deps()) {
                deps.writeBytes(table(ModuleSectionLayout.DEP_SIZE).putInt(newIndex[dep]).array());
                depCount++;
            }
            int infoStart = blob.size();
            writeInfo(blob, m.info());
            records.add(new BlobRecord(m.name(), blob.size() - infoStart));
            moduleTable.putInt(infoStart).putInt(blob.size() - infoStart).putInt(m.flags());
        }
        ValueTable values = new ValueTable(pool);
        byte[] aliases = keys(content.aliases(), pool, values);
        byte[] symbols = keys(content.symbols(), pool, values);
        byte[] builtins = keys(content.builtins().stream().map(b -> new Key(b, List.of())).toList(), pool, values);
        byte[] builtinAliases = keys(content.builtinAliases(), pool, values);
        List<BuiltinInfo> builtinInfo = new ArrayList<>(content.builtinInfo());
        builtinInfo.sort(Comparator.comparing(b -> utf8(b.name()), Arrays::compareUnsigned));
        ByteBuffer builtinTable = table(builtinInfo.size() * ModuleSectionLayout.BUILTIN_INFO_SIZE);
        for (BuiltinInfo b : builtinInfo) {
            ref(builtinTable, pool, utf8(b.name()));
            int infoStart = blob.size();
            writeInfo(blob, b.info());
            records.add(new BlobRecord(b.name(), blob.size() - infoStart));
            builtinTable.putInt(infoStart).putInt(blob.size() - infoStart);
        }
        byte[] softdep = utf8(content.softdepConfig());
        int softdepOffset = pool.add(softdep);

        byte[][] tables = {pool.bytes(), moduleTable.array(), deps.toByteArray(), aliases, symbols, builtins,
            builtinAliases, values.bytes(), builtinTable.array()};
        int total = HEADER_SIZE;
        for (byte[] t : tables) {
            total += align4(t.length);
        }
        ByteBuffer out = table(total);
        out.putInt(MAGIC).putInt(VERSION).putInt(content.hasBuiltinModinfo() ? HAS_BUILTIN_MODINFO : 0)
                .putInt(softdepOffset).putInt(softdep.length).putLong(modinfoOffset).putLong(blob.size());
        int at = HEADER_SIZE;
        for (int t = 0; t < TABLES; t++) {
            out.putInt(at).putInt(tables[t].length / RECORD_SIZE[t]);
            out.put(at, tables[t]);
            at += align4(tables[t].length);
        }
        return new Encoded(out.array(), blob.toByteArray(), List.copyOf(records));
    }

    private static void writeInfo(ByteArrayOutputStream blob, List<ModinfoField> info) {
        for (ModinfoField i : info) {
            byte[] key = utf8(i.key());
            ByteBuffer header = table(INFO_ENTRY_HEADER);
            int flags = (i.hex() ? ModinfoField.HEX : 0) | (i.inFile() ? ModinfoField.IN_FILE : 0);
            header.put((byte) flags).putShort((short) key.length).putInt(i.value().length);
            blob.writeBytes(header.array());
            blob.writeBytes(key);
            blob.writeBytes(i.value());
        }
    }

    /** Key tables sorted by (literal prefix, pattern with end-of-string after every byte). */
    private static byte[] keys(List<Key> keys, BytePool pool, ValueTable values) {
        List<Key> sorted = new ArrayList<>(keys);
        sorted.sort(ModuleSectionEncoder::compareKeys);
        ByteBuffer table = table(sorted.size() * ModuleSectionLayout.KEY_SIZE);
        for (Key key : sorted) {
            byte[] k = utf8(key.key());
            ref(table, pool, k);
            table.putInt(literalLength(k)).putInt(values.size()).putInt(key.values().size());
            key.values().forEach(values::add);
        }
        return table.array();
    }

    static int compareKeys(Key a, Key b) {
        byte[] x = utf8(a.key());
        byte[] y = utf8(b.key());
        int order = Arrays.compareUnsigned(x, 0, literalLength(x), y, 0, literalLength(y));
        if (order != 0) {
            return order;
        }
        int common = Math.min(x.length, y.length);
        int mismatch = Arrays.mismatch(x, 0, common, y, 0, common);
        if (mismatch >= 0) {
            return Integer.compare(Byte.toUnsignedInt(x[mismatch]), Byte.toUnsignedInt(y[mismatch]));
        }
        // kmod's trie walk visits a node's children before the node's own values: longer patterns first.
        return Integer.compare(y.length, x.length);
    }

    /** The bytes before the first glob character ('*', '?', '['). */
    static int literalLength(byte[] pattern) {
        for (int i = 0; i < pattern.length; i++) {
            if (pattern[i] == '*' || pattern[i] == '?' || pattern[i] == '[') {
                return i;
            }
        }
        return pattern.length;
    }

    private static ByteBuffer table(int size) {
        return ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** A string reference as the section stores it: the pool offset, then the length. */
    private static void ref(ByteBuffer out, BytePool pool, byte[] value) {
        out.putInt(pool.add(value)).putInt(value.length);
    }

    private static final class ValueTable {
        private final BytePool pool;
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        private int size;

        ValueTable(BytePool pool) {
            this.pool = pool;
        }

        void add(Value value) {
            ByteBuffer record = table(ModuleSectionLayout.VALUE_SIZE);
            ref(record, pool, utf8(value.name()));
            record.putInt(value.priority());
            bytes.writeBytes(record.array());
            size++;
        }

        int size() {
            return size;
        }

        byte[] bytes() {
            return bytes.toByteArray();
        }
    }
}
