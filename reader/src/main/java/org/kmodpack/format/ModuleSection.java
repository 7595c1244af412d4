package org.kmodpack.format;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The MODULES section (type 5, optional): depmod's indexes as sorted fixed-size tables over one byte pool, so
 * that every lookup is a binary search in place, plus references into the modinfo blob, which the packer puts
 * at the end of the data stream (compressed and hashed like file contents; only modinfo queries read it).
 * spec/FORMAT.md section 14 describes the layout. {@link #decode} checks every reference once; afterwards reads cannot go
 * out of range.
 */
public final class ModuleSection {
    public static final int MAGIC = 0x444F4D4B; // "KMOD" read as a little-endian u32
    public static final int VERSION = 1;
    /** Module flag: the module file is missing or has no .modinfo (kmod: ENOENT). */
    public static final int FLAG_NO_MODINFO = 1;
    /** Module flag: the module file is not a valid ELF object (kmod: EINVAL). */
    public static final int FLAG_INVALID_ELF = 2;
    /** Info flag: the value is raw bytes that modinfo prints as colon-separated hex. */
    public static final int INFO_HEX = 1;
    /**
     * Info flag: the value is not stored; it is the byte range (u64 offset, u32 length, little-endian) of the
     * module file in the bundle. Used for signatures of uncompressed modules, which the file already holds.
     */
    public static final int INFO_IN_FILE = 2;

    static final int POOL = 0;
    static final int MODULES = 1;
    static final int DEPS = 2;
    static final int ALIASES = 3;
    static final int SYMBOLS = 4;
    static final int BUILTINS = 5;
    static final int BUILTIN_ALIASES = 6;
    static final int VALUES = 7;
    static final int BUILTIN_INFO = 8;
    static final int TABLES = 9;
    static final int[] RECORD_SIZE = {1, 40, 4, 20, 20, 20, 20, 12, 16};
    static final int TABLES_AT = 36;
    static final int HEADER_SIZE = TABLES_AT + TABLES * 8;
    /** Header of one modinfo entry in the blob: u8 flags, u16 key length, u32 value length. */
    static final int INFO_ENTRY_HEADER = 7;
    /** Section flag: the tree had modules.builtin.modinfo (kmod reports a builtin missing from it differently). */
    public static final int HAS_BUILTIN_MODINFO = 1;

    /** One module of modules.dep.bin: {@code deps} are indexes into the module table, in the line's order. */
    public record Module(String name, String path, int entry, int[] deps, List<Info> info, int flags) {
    }

    /**
     * A modinfo field. With {@code inFile}, {@code value} is the 12-byte reference of {@link #INFO_IN_FILE}:
     * build it with {@link #inFile(String, long, int, boolean)}, read it with {@link #fileOffset()}.
     */
    public record Info(String key, byte[] value, boolean hex, boolean inFile) {
        public Info(String key, byte[] value, boolean hex) {
            this(key, value, hex, false);
        }

        public static Info inFile(String key, long offset, int length, boolean hex) {
            return new Info(key, table(12).putLong(offset).putInt(length).array(), hex, true);
        }

        public long fileOffset() {
            return ByteBuffer.wrap(value).order(ByteOrder.LITTLE_ENDIAN).getLong(0);
        }

        public int fileLength() {
            return ByteBuffer.wrap(value).order(ByteOrder.LITTLE_ENDIAN).getInt(8);
        }
    }

    /** A key of a depmod index (an alias pattern, {@code symbol:NAME}, a builtin name) and its values. */
    public record Key(String key, List<Value> values) {
    }

    /** A module name and depmod's priority for it (lower first). */
    public record Value(String name, int priority) {
    }

    public record BuiltinInfo(String name, List<Info> info) {
    }

    /** The section and the modinfo blob that goes at {@code modinfoOffset} of the data stream. */
    public record Encoded(byte[] section, byte[] modinfo) {
    }

    /** Where a module's modinfo lies in the data stream. */
    public record InfoRef(long offset, int length) {
    }

    /** Everything the packer stores; lists in any order, {@link #encode} sorts them. */
    public record Content(List<Module> modules, List<Key> aliases, List<Key> symbols, List<String> builtins,
            List<Key> builtinAliases, List<BuiltinInfo> builtinInfo, boolean hasBuiltinModinfo,
            String softdepConfig) {
    }

    private final String bundle;
    private final ByteBuffer section;
    private final int[] offset = new int[TABLES];
    private final int[] count = new int[TABLES];
    private final int poolAt;
    private final int flags;
    private final int softdepOffset;
    private final int softdepLength;
    private final long modinfoOffset;
    private final long modinfoLength;

    private ModuleSection(String bundle, ByteBuffer section) {
        this.bundle = bundle;
        this.section = section;
        this.flags = section.getInt(8);
        this.softdepOffset = section.getInt(12);
        this.softdepLength = section.getInt(16);
        this.modinfoOffset = section.getLong(20);
        this.modinfoLength = section.getLong(28);
        for (int t = 0; t < TABLES; t++) {
            offset[t] = section.getInt(TABLES_AT + t * 8);
            count[t] = section.getInt(TABLES_AT + 4 + t * 8);
        }
        this.poolAt = offset[POOL];
    }

    // ---- reading -------------------------------------------------------------------------------------------

    public int moduleCount() {
        return count[MODULES];
    }

    /** Index of the module named exactly {@code name} in the module table, or -1. */
    public int findModule(String name) {
        return findExact(MODULES, 40, name.getBytes(StandardCharsets.UTF_8));
    }

    public String moduleName(int module) {
        return string(offset[MODULES] + module * 40);
    }

    /** The module's path relative to the module directory, as modules.dep gives it. */
    public String modulePath(int module) {
        return string(offset[MODULES] + module * 40 + 8);
    }

    /** Index of the module file in the bundle's ENTRIES, or -1 when the tree has no such file. */
    public int moduleEntry(int module) {
        return section.getInt(offset[MODULES] + module * 40 + 16);
    }

    public int[] moduleDeps(int module) {
        int at = offset[MODULES] + module * 40;
        int start = section.getInt(at + 20);
        int n = section.getInt(at + 24);
        int[] deps = new int[n];
        for (int i = 0; i < n; i++) {
            deps[i] = section.getInt(offset[DEPS] + (start + i) * 4);
        }
        return deps;
    }

    public int moduleFlags(int module) {
        return section.getInt(offset[MODULES] + module * 40 + 36);
    }

    /** Where the module's modinfo lies in the data stream; decode what is read there with {@link #decodeInfo}. */
    public InfoRef moduleInfo(int module) {
        int at = offset[MODULES] + module * 40;
        return new InfoRef(modinfoOffset + Integer.toUnsignedLong(section.getInt(at + 28)), section.getInt(at + 32));
    }

    /** Where modules.builtin.modinfo's lines for a builtin module lie, or null when it has none. */
    public InfoRef builtinInfo(String name) {
        int i = findExact(BUILTIN_INFO, 16, name.getBytes(StandardCharsets.UTF_8));
        if (i < 0) {
            return null;
        }
        int at = offset[BUILTIN_INFO] + i * 16;
        return new InfoRef(modinfoOffset + Integer.toUnsignedLong(section.getInt(at + 8)), section.getInt(at + 12));
    }

    /** The modinfo blob's place in the data stream: [offset, offset + length). */
    public long modinfoOffset() {
        return modinfoOffset;
    }

    public long modinfoLength() {
        return modinfoLength;
    }

    /** Decodes one module's modinfo as read from the data stream, checking every length against the record. */
    public static List<Info> decodeInfo(byte[] record, String bundle) throws CorruptBundleException {
        ByteBuffer in = ByteBuffer.wrap(record).order(ByteOrder.LITTLE_ENDIAN);
        List<Info> list = new ArrayList<>();
        while (in.hasRemaining()) {
            if (in.remaining() < INFO_ENTRY_HEADER) {
                throw new CorruptBundleException(bundle, "modinfo record ends inside an entry header");
            }
            int flags = Byte.toUnsignedInt(in.get());
            int keyLength = Short.toUnsignedInt(in.getShort());
            long valueLength = Integer.toUnsignedLong(in.getInt());
            boolean inFile = (flags & INFO_IN_FILE) != 0;
            if (keyLength + valueLength > in.remaining() || (flags & ~(INFO_HEX | INFO_IN_FILE)) != 0
                    || (inFile && valueLength != 12)) {
                throw new CorruptBundleException(bundle, "modinfo entry of " + keyLength + "+" + valueLength
                        + " bytes (flags " + flags + ") does not fit the " + in.remaining() + " bytes left");
            }
            byte[] key = new byte[keyLength];
            byte[] value = new byte[(int) valueLength];
            in.get(key).get(value);
            Info info = new Info(new String(key, StandardCharsets.UTF_8), value, (flags & INFO_HEX) != 0, inFile);
            if (inFile && (info.fileOffset() < 0 || info.fileLength() < 0)) {
                throw new CorruptBundleException(bundle, "modinfo entry " + info.key() + " refers to bytes "
                        + info.fileOffset() + "+" + info.fileLength() + " of its module");
            }
            list.add(info);
        }
        return list;
    }

    public boolean hasBuiltinModinfo() {
        return (flags & HAS_BUILTIN_MODINFO) != 0;
    }

    public boolean isBuiltin(String name) {
        return findExact(BUILTINS, 20, name.getBytes(StandardCharsets.UTF_8)) >= 0;
    }

    /** The text of modules.softdep, which kmod reads as a configuration file. */
    public String softdepConfig() {
        return softdepLength == 0 ? "" : new String(bytes(softdepOffset, softdepLength), StandardCharsets.UTF_8);
    }

    public List<Value> searchAliases(String key) {
        return searchWild(ALIASES, key);
    }

    public List<Value> searchSymbols(String key) {
        return searchWild(SYMBOLS, key);
    }

    public List<Value> searchBuiltinAliases(String key) {
        return searchWild(BUILTIN_ALIASES, key);
    }

    /** Every pattern of modules.alias.bin, in table order (for tests and tools). */
    public List<String> aliasPatterns() {
        List<String> all = new ArrayList<>(count[ALIASES]);
        for (int i = 0; i < count[ALIASES]; i++) {
            all.add(string(offset[ALIASES] + i * 20));
        }
        return all;
    }

    /**
     * kmod's wildcard search of an alias-style index (libkmod's index_mm_searchwild): patterns are visited
     * in the order kmod's trie walk visits them, and each match's values are inserted before the first
     * value of equal or higher priority, so equal priorities end up latest-visited first, as in kmod.
     */
    private List<Value> searchWild(int table, String key) {
        byte[] k = key.getBytes(StandardCharsets.UTF_8);
        List<Value> out = new ArrayList<>();
        int size = RECORD_SIZE[table];
        for (int d = 0; d <= k.length; d++) {
            int low = lowerBound(table, size, k, d);
            for (int i = low; i < count[table]; i++) {
                int at = offset[table] + i * size;
                int literal = section.getInt(at + 8);
                if (literal != d || comparePool(section.getInt(at), d, k, d) != 0) {
                    break;
                }
                int length = section.getInt(at + 4);
                byte[] pattern = bytes(section.getInt(at), length);
                boolean wild = literal < length;
                if (wild ? Fnmatch.matches(pattern, k) : d == k.length) {
                    addValues(out, section.getInt(at + 12), section.getInt(at + 16));
                }
            }
        }
        return out;
    }

    private void addValues(List<Value> out, int start, int n) {
        for (int v = start; v < start + n; v++) {
            int at = offset[VALUES] + v * 12;
            int priority = section.getInt(at + 8);
            int position = 0;
            while (position < out.size() && Integer.compareUnsigned(out.get(position).priority(), priority) < 0) {
                position++;
            }
            out.add(position, new Value(string(at), priority));
        }
    }

    /** First record whose literal prefix is {@code d} bytes long and equal to key[0..d), by (prefix, order). */
    private int lowerBound(int table, int size, byte[] key, int d) {
        int low = 0;
        int high = count[table];
        while (low < high) {
            int mid = (low + high) >>> 1;
            int at = offset[table] + mid * size;
            int literal = section.getInt(at + 8);
            int order = comparePool(section.getInt(at), literal, key, d);
            if (order < 0) {
                low = mid + 1;
            } else {
                high = mid;
            }
        }
        return low;
    }

    private int findExact(int table, int size, byte[] key) {
        int low = 0;
        int high = count[table] - 1;
        while (low <= high) {
            int mid = (low + high) >>> 1;
            int at = offset[table] + mid * size;
            int order = comparePool(section.getInt(at), section.getInt(at + 4), key, key.length);
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

    private int comparePool(int from, int length, byte[] key, int keyLength) {
        int common = Math.min(length, keyLength);
        for (int i = 0; i < common; i++) {
            int order = Integer.compare(Byte.toUnsignedInt(section.get(poolAt + from + i)),
                    Byte.toUnsignedInt(key[i]));
            if (order != 0) {
                return order;
            }
        }
        return Integer.compare(length, keyLength);
    }

    private String string(int refAt) {
        return new String(bytes(section.getInt(refAt), section.getInt(refAt + 4)), StandardCharsets.UTF_8);
    }

    private byte[] bytes(int from, int length) {
        byte[] out = new byte[length];
        section.get(poolAt + from, out);
        return out;
    }

    // ---- decoding ------------------------------------------------------------------------------------------

    public static ModuleSection decode(ByteBuffer body, String bundle) throws CorruptBundleException {
        ByteBuffer section = body.slice().order(ByteOrder.LITTLE_ENDIAN);
        int length = section.remaining();
        if (length < HEADER_SIZE || section.getInt(0) != MAGIC) {
            throw new CorruptBundleException(bundle, "MODULES section does not start with its magic number");
        }
        if (section.getInt(4) != VERSION) {
            throw new UnsupportedBundleException(bundle, "MODULES section version " + section.getInt(4));
        }
        ModuleSection s = new ModuleSection(bundle, section);
        if (s.modinfoOffset < 0 || s.modinfoLength < 0 || s.modinfoLength > Long.MAX_VALUE - s.modinfoOffset) {
            throw s.corrupt("modinfo blob at " + Long.toUnsignedString(s.modinfoOffset) + " with "
                    + Long.toUnsignedString(s.modinfoLength) + " bytes is not a valid range");
        }
        for (int t = 0; t < TABLES; t++) {
            long end = Integer.toUnsignedLong(s.offset[t]) + Integer.toUnsignedLong(s.count[t]) * RECORD_SIZE[t];
            if (s.offset[t] < HEADER_SIZE || s.count[t] < 0 || end > length) {
                throw s.corrupt("table " + t + " at " + Integer.toUnsignedString(s.offset[t]) + " with "
                        + Integer.toUnsignedString(s.count[t]) + " records lies outside the " + length
                        + "-byte section");
            }
        }
        s.checkRange(s.softdepOffset, s.softdepLength, "modules.softdep text");
        s.checkStrings(MODULES, 0, 8);
        s.checkStrings(VALUES, 0);
        s.checkStrings(BUILTIN_INFO, 0);
        for (int table : new int[] {ALIASES, SYMBOLS, BUILTINS, BUILTIN_ALIASES}) {
            s.checkStrings(table, 0);
            for (int i = 0; i < s.count[table]; i++) {
                int at = s.offset[table] + i * 20;
                int literal = section.getInt(at + 8);
                if (literal < 0 || literal > section.getInt(at + 4)) {
                    throw s.corrupt("key " + i + " of table " + table + " has a literal prefix longer than itself");
                }
                s.checkSlice(at + 12, VALUES, "values of key " + i + " of table " + table);
            }
        }
        for (int i = 0; i < s.count[MODULES]; i++) {
            int at = s.offset[MODULES] + i * 40;
            s.checkSlice(at + 20, DEPS, "dependencies of module " + i);
            s.checkInfo(at + 28, "modinfo of module " + i);
        }
        for (int i = 0; i < s.count[BUILTIN_INFO]; i++) {
            s.checkInfo(s.offset[BUILTIN_INFO] + i * 16 + 8, "modinfo of builtin " + i);
        }
        for (int i = 0; i < s.count[DEPS]; i++) {
            int dep = section.getInt(s.offset[DEPS] + i * 4);
            if (dep < 0 || dep >= s.count[MODULES]) {
                throw s.corrupt("dependency " + i + " names module " + dep + " of " + s.count[MODULES]);
            }
        }
        return s;
    }

    private void checkStrings(int table, int... fields) throws CorruptBundleException {
        for (int i = 0; i < count[table]; i++) {
            for (int field : fields) {
                int at = offset[table] + i * RECORD_SIZE[table] + field;
                checkRange(section.getInt(at), section.getInt(at + 4), "string of record " + i + " of table " + table);
            }
        }
    }

    private void checkSlice(int at, int table, String what) throws CorruptBundleException {
        long start = Integer.toUnsignedLong(section.getInt(at));
        long n = Integer.toUnsignedLong(section.getInt(at + 4));
        if (start + n > count[table]) {
            throw corrupt(what + " [" + start + ", +" + n + ") exceed the " + count[table] + " records of table "
                    + table);
        }
    }

    private void checkInfo(int at, String what) throws CorruptBundleException {
        long start = Integer.toUnsignedLong(section.getInt(at));
        long n = Integer.toUnsignedLong(section.getInt(at + 4));
        if (start + n > modinfoLength) {
            throw corrupt(what + " [" + start + ", +" + n + ") exceeds the " + modinfoLength + "-byte modinfo blob");
        }
    }

    private void checkRange(int from, int length, String what) throws CorruptBundleException {
        if (from < 0 || length < 0 || (long) from + length > count[POOL]) {
            throw corrupt(what + " at " + Integer.toUnsignedString(from) + "+" + Integer.toUnsignedString(length)
                    + " lies outside the " + count[POOL] + "-byte pool");
        }
    }

    private CorruptBundleException corrupt(String problem) {
        return new CorruptBundleException(bundle, "MODULES section: " + problem);
    }

    // ---- encoding ------------------------------------------------------------------------------------------

    /**
     * Lays out the section and the modinfo blob that the packer appends to the data stream at
     * {@code modinfoOffset}; tables are sorted here so that the packer cannot get the order wrong.
     */
    public static Encoded encode(Content content, long modinfoOffset) {
        Pool pool = new Pool();
        List<Module> modules = new ArrayList<>(content.modules());
        // Dependencies are given as indexes into content.modules(); renumber them after sorting by name.
        Integer[] order = new Integer[modules.size()];
        Arrays.setAll(order, i -> i);
        Arrays.sort(order, Comparator.comparing(i -> utf8(modules.get(i).name()), Arrays::compareUnsigned));
        int[] newIndex = new int[order.length];
        for (int i = 0; i < order.length; i++) {
            newIndex[order[i]] = i;
        }
        ByteBuffer moduleTable = table(modules.size() * 40);
        ByteArrayOutputStream deps = new ByteArrayOutputStream();
        ByteArrayOutputStream blob = new ByteArrayOutputStream();
        int depCount = 0;
        for (Integer i : order) {
            Module m = modules.get(i);
            pool.ref(moduleTable, utf8(m.name()));
            pool.ref(moduleTable, utf8(m.path()));
            moduleTable.putInt(m.entry()).putInt(depCount).putInt(m.deps().length);
            for (int dep : m.deps()) {
                deps.writeBytes(le(newIndex[dep]));
                depCount++;
            }
            int infoStart = blob.size();
            writeInfo(blob, m.info());
            moduleTable.putInt(infoStart).putInt(blob.size() - infoStart).putInt(m.flags());
        }
        ValueTable values = new ValueTable(pool);
        byte[] aliases = keys(content.aliases(), pool, values);
        byte[] symbols = keys(content.symbols(), pool, values);
        byte[] builtins = keys(content.builtins().stream().map(b -> new Key(b, List.of())).toList(), pool, values);
        byte[] builtinAliases = keys(content.builtinAliases(), pool, values);
        List<BuiltinInfo> builtinInfo = new ArrayList<>(content.builtinInfo());
        builtinInfo.sort(Comparator.comparing(b -> utf8(b.name()), Arrays::compareUnsigned));
        ByteBuffer builtinTable = table(builtinInfo.size() * 16);
        for (BuiltinInfo b : builtinInfo) {
            pool.ref(builtinTable, utf8(b.name()));
            int infoStart = blob.size();
            writeInfo(blob, b.info());
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
        return new Encoded(out.array(), blob.toByteArray());
    }

    private static void writeInfo(ByteArrayOutputStream blob, List<Info> info) {
        for (Info i : info) {
            byte[] key = utf8(i.key());
            ByteBuffer header = table(INFO_ENTRY_HEADER);
            int flags = (i.hex() ? INFO_HEX : 0) | (i.inFile() ? INFO_IN_FILE : 0);
            header.put((byte) flags).putShort((short) key.length).putInt(i.value().length);
            blob.writeBytes(header.array());
            blob.writeBytes(key);
            blob.writeBytes(i.value());
        }
    }

    /** Alias-style tables sorted by (literal prefix, pattern with end-of-string after every byte). */
    private static byte[] keys(List<Key> keys, Pool pool, ValueTable values) {
        List<Key> sorted = new ArrayList<>(keys);
        sorted.sort(ModuleSection::compareKeys);
        ByteBuffer table = table(sorted.size() * 20);
        for (Key key : sorted) {
            byte[] k = utf8(key.key());
            pool.ref(table, k);
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

    static int literalLength(byte[] pattern) {
        for (int i = 0; i < pattern.length; i++) {
            if (pattern[i] == '*' || pattern[i] == '?' || pattern[i] == '[') {
                return i;
            }
        }
        return pattern.length;
    }

    private static int align4(int n) {
        return (n + 3) & ~3;
    }

    private static ByteBuffer table(int size) {
        return ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
    }

    private static byte[] le(int value) {
        return table(4).putInt(value).array();
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** Stores each distinct byte string once: names repeat across aliases, symbols and dependency lists. */
    private static final class Pool {
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        private final Map<String, Integer> offsets = new HashMap<>();

        int add(byte[] value) {
            return offsets.computeIfAbsent(new String(value, StandardCharsets.ISO_8859_1), k -> {
                int at = bytes.size();
                bytes.writeBytes(value);
                return at;
            });
        }

        void ref(ByteBuffer out, byte[] value) {
            out.putInt(add(value)).putInt(value.length);
        }

        byte[] bytes() {
            return bytes.toByteArray();
        }
    }

    private static final class ValueTable {
        private final Pool pool;
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        private int size;

        ValueTable(Pool pool) {
            this.pool = pool;
        }

        void add(Value value) {
            ByteBuffer record = table(12);
            pool.ref(record, utf8(value.name()));
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
