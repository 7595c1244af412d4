package org.kmodpack.format;

import static org.kmodpack.format.ModuleSectionLayout.*;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.kmodpack.format.ModuleContent.Value;

/**
 * A decoded MODULES section (type 5, optional): depmod's indexes as sorted fixed-size tables over one byte pool,
 * so that every lookup is a binary search in place, plus references into the modinfo blob, which the packer
 * puts at the end of the data stream (compressed and hashed like file contents; only modinfo queries read it).
 * spec/FORMAT.md section 14 describes the layout ({@link ModuleSectionLayout}), {@link ModuleSectionEncoder}
 * writes it. {@link #decode} checks every reference once; afterwards reads cannot go out of range. What the
 * tables mean to kmod (wildcard search order, priorities) is the kmod module's business, not this class's.
 */
public final class ModuleSection {
    /** The tables whose records are depmod index keys with values. */
    public enum KeyTable {
        ALIASES(ModuleSectionLayout.ALIASES),
        SYMBOLS(ModuleSectionLayout.SYMBOLS),
        BUILTINS(ModuleSectionLayout.BUILTINS),
        BUILTIN_ALIASES(ModuleSectionLayout.BUILTIN_ALIASES);

        private final int table;

        KeyTable(int table) {
            this.table = table;
        }
    }

    /** Where a module's modinfo lies in the data stream. */
    public record InfoRef(long offset, int length) {
    }

    /** Keys [from, to) of a key table. */
    public record KeyRange(int from, int to) {
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
        this.flags = section.getInt(HEADER_FLAGS);
        this.softdepOffset = section.getInt(HEADER_SOFTDEP_OFFSET);
        this.softdepLength = section.getInt(HEADER_SOFTDEP_LENGTH);
        this.modinfoOffset = section.getLong(HEADER_MODINFO_OFFSET);
        this.modinfoLength = section.getLong(HEADER_MODINFO_LENGTH);
        for (int t = 0; t < TABLES; t++) {
            offset[t] = section.getInt(HEADER_TABLES + t * TABLE_REF_SIZE);
            count[t] = section.getInt(HEADER_TABLES + t * TABLE_REF_SIZE + PAIR_SECOND);
        }
        this.poolAt = offset[POOL];
    }

    // ---- modules -------------------------------------------------------------------------------------------

    public int moduleCount() {
        return count[MODULES];
    }

    /** Index of the module named exactly {@code name} in the module table, or -1 (as {@link String#indexOf}). */
    public int findModule(String name) {
        return findExact(MODULES, name.getBytes(StandardCharsets.UTF_8));
    }

    public String moduleName(int module) {
        return string(record(MODULES, module) + MODULE_NAME);
    }

    /** The module's path relative to the module directory, as modules.dep gives it. */
    public String modulePath(int module) {
        return string(record(MODULES, module) + MODULE_PATH);
    }

    /** Index of the module file in the bundle's ENTRIES, or -1 when the tree has no such file. */
    public int moduleEntry(int module) {
        return section.getInt(record(MODULES, module) + MODULE_ENTRY);
    }

    /** The module's dependencies as indexes into the module table, in modules.dep's order. */
    public int[] moduleDeps(int module) {
        int at = record(MODULES, module);
        int start = section.getInt(at + MODULE_DEPS_START);
        int n = section.getInt(at + MODULE_DEPS_COUNT);
        int[] deps = new int[n];
        for (int i = 0; i < n; i++) {
            deps[i] = section.getInt(record(DEPS, start + i));
        }
        return deps;
    }

    /** Whether some module's modules.dep line holds {@code module}, that is, whether it has users. */
    public boolean isDependency(int module) {
        for (int user = 0; user < count[MODULES]; user++) {
            int at = record(MODULES, user);
            int start = section.getInt(at + MODULE_DEPS_START);
            int end = start + section.getInt(at + MODULE_DEPS_COUNT);
            for (int i = start; i < end; i++) {
                if (section.getInt(record(DEPS, i)) == module) {
                    return true;
                }
            }
        }
        return false;
    }

    /** {@link ModuleContent#FLAG_NO_MODINFO}, {@link ModuleContent#FLAG_INVALID_ELF} or 0. */
    public int moduleFlags(int module) {
        return section.getInt(record(MODULES, module) + MODULE_FLAGS);
    }

    /** Where the module's modinfo lies in the data stream; decode what is read there with {@link #decodeInfo}. */
    public InfoRef moduleInfo(int module) {
        return infoRef(record(MODULES, module) + MODULE_INFO_OFFSET);
    }

    /** Where modules.builtin.modinfo's lines for a builtin module lie, if it has any. */
    public Optional<InfoRef> builtinInfo(String name) {
        int i = findExact(BUILTIN_INFO, name.getBytes(StandardCharsets.UTF_8));
        return i < 0 ? Optional.empty() : Optional.of(infoRef(record(BUILTIN_INFO, i) + BUILTIN_INFO_OFFSET));
    }

    private InfoRef infoRef(int at) {
        return new InfoRef(modinfoOffset + Integer.toUnsignedLong(section.getInt(at)),
                section.getInt(at + PAIR_SECOND));
    }

    /** The modinfo blob's place in the data stream: [offset, offset + length). */
    public long modinfoOffset() {
        return modinfoOffset;
    }

    public long modinfoLength() {
        return modinfoLength;
    }

    /** Decodes one module's modinfo as read from the data stream, checking every length against the record. */
    public static List<ModinfoField> decodeInfo(byte[] record, String bundle) throws CorruptBundleException {
        ByteBuffer in = ByteBuffer.wrap(record).order(ByteOrder.LITTLE_ENDIAN);
        List<ModinfoField> list = new ArrayList<>();
        while (in.hasRemaining()) {
            if (in.remaining() < INFO_ENTRY_HEADER) {
                throw new CorruptBundleException(bundle, "modinfo record ends inside an entry header");
            }
            int flags = Byte.toUnsignedInt(in.get());
            int keyLength = Short.toUnsignedInt(in.getShort());
            long valueLength = Integer.toUnsignedLong(in.getInt());
            boolean inFile = (flags & ModinfoField.IN_FILE) != 0;
            if (keyLength + valueLength > in.remaining() || (flags & ~(ModinfoField.HEX | ModinfoField.IN_FILE)) != 0
                    || (inFile && valueLength != INFO_IN_FILE_SIZE)) {
                throw new CorruptBundleException(bundle, "modinfo entry of " + keyLength + "+" + valueLength
                        + " bytes (flags " + flags + ") does not fit the " + in.remaining() + " bytes left");
            }
            byte[] key = new byte[keyLength];
            byte[] value = new byte[(int) valueLength];
            in.get(key).get(value);
            ModinfoField info = new ModinfoField(new String(key, StandardCharsets.UTF_8), value,
                    (flags & ModinfoField.HEX) != 0, inFile);
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
        return findExact(BUILTINS, name.getBytes(StandardCharsets.UTF_8)) >= 0;
    }

    /** The text of modules.softdep, which kmod reads as a configuration file. */
    public String softdepConfig() {
        return softdepLength == 0 ? "" : new String(bytes(softdepOffset, softdepLength), StandardCharsets.UTF_8);
    }

    // ---- key tables ----------------------------------------------------------------------------------------

    public int keyCount(KeyTable table) {
        return count[table.table];
    }

    /** The key's pattern (an alias pattern, {@code symbol:NAME}, a builtin name). */
    public byte[] keyPattern(KeyTable table, int key) {
        int at = record(table.table, key);
        return bytes(section.getInt(at + KEY_PATTERN), section.getInt(at + KEY_PATTERN + PAIR_SECOND));
    }

    /** Whether the pattern holds a glob character ('*', '?', '['): its literal prefix is shorter than itself. */
    public boolean keyIsWild(KeyTable table, int key) {
        int at = record(table.table, key);
        return section.getInt(at + KEY_LITERAL_LENGTH) < section.getInt(at + KEY_PATTERN + PAIR_SECOND);
    }

    /** Every pattern of a key table, in table order. */
    public List<String> patterns(KeyTable table) {
        List<String> all = new ArrayList<>(keyCount(table));
        for (int i = 0; i < keyCount(table); i++) {
            all.add(string(record(table.table, i) + KEY_PATTERN));
        }
        return all;
    }

    /** The key's values in stored order (depmod's). */
    public List<Value> keyValues(KeyTable table, int key) {
        int at = record(table.table, key);
        int start = section.getInt(at + KEY_VALUES_START);
        int n = section.getInt(at + KEY_VALUES_COUNT);
        List<Value> values = new ArrayList<>(n);
        for (int v = start; v < start + n; v++) {
            int value = record(VALUES, v);
            values.add(new Value(string(value + VALUE_NAME), section.getInt(value + VALUE_PRIORITY)));
        }
        return values;
    }

    /** Whether a value of some key of the table names module {@code name}: say, whether it owns a symbol. */
    public boolean hasValueNamed(KeyTable table, String name) {
        byte[] bytes = name.getBytes(StandardCharsets.UTF_8);
        for (int key = 0; key < count[table.table]; key++) {
            int at = record(table.table, key);
            int start = section.getInt(at + KEY_VALUES_START);
            for (int v = start; v < start + section.getInt(at + KEY_VALUES_COUNT); v++) {
                int value = record(VALUES, v);
                if (section.getInt(value + VALUE_NAME + PAIR_SECOND) == bytes.length
                        && comparePool(section.getInt(value + VALUE_NAME), bytes.length, bytes, bytes.length) == 0) {
                    return true;
                }
            }
        }
        return false;
    }

    /**
     * The keys whose literal prefix is exactly {@code key[0..length)}, as a range [from, to) of the table: keys
     * are sorted by literal prefix first, so they are adjacent, in the order kmod's trie walk visits them.
     */
    public KeyRange keysWithLiteralPrefix(KeyTable table, byte[] key, int length) {
        int t = table.table;
        int low = 0;
        int high = count[t];
        while (low < high) {
            int mid = (low + high) >>> 1;
            int at = record(t, mid);
            if (comparePool(section.getInt(at + KEY_PATTERN), section.getInt(at + KEY_LITERAL_LENGTH), key,
                    length) < 0) {
                low = mid + 1;
            } else {
                high = mid;
            }
        }
        int end = low;
        while (end < count[t]) {
            int at = record(t, end);
            if (section.getInt(at + KEY_LITERAL_LENGTH) != length
                    || comparePool(section.getInt(at + KEY_PATTERN), length, key, length) != 0) {
                break;
            }
            end++;
        }
        return new KeyRange(low, end);
    }

    // ---- internals -----------------------------------------------------------------------------------------

    private int record(int table, int index) {
        return offset[table] + index * RECORD_SIZE[table];
    }

    /** Binary search of a table sorted by its first field, a string reference. */
    private int findExact(int table, byte[] key) {
        return SortedNames.search(0, count[table] - 1, row -> {
            int at = record(table, row);
            return comparePool(section.getInt(at), section.getInt(at + PAIR_SECOND), key, key.length);
        });
    }

    private int comparePool(int from, int length, byte[] key, int keyLength) {
        return SortedNames.compare(section, poolAt + from, length, key, keyLength);
    }

    private String string(int refAt) {
        return new String(bytes(section.getInt(refAt), section.getInt(refAt + PAIR_SECOND)), StandardCharsets.UTF_8);
    }

    private byte[] bytes(int from, int length) {
        byte[] out = new byte[length];
        section.get(poolAt + from, out);
        return out;
    }

    // ---- decoding and validation ---------------------------------------------------------------------------

    public static ModuleSection decode(ByteBuffer body, String bundle) throws CorruptBundleException {
        ByteBuffer section = body.slice().order(ByteOrder.LITTLE_ENDIAN);
        int length = section.remaining();
        if (length < HEADER_SIZE || section.getInt(HEADER_MAGIC) != MAGIC) {
            throw new CorruptBundleException(bundle, "MODULES section does not start with its magic number");
        }
        if (section.getInt(HEADER_VERSION) != VERSION) {
            throw new UnsupportedBundleException(bundle, "MODULES section version " + section.getInt(HEADER_VERSION));
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
        // Each table is checked from a copy as ints: a section holds some hundred thousand references, and this
        // runs, interpreted, at the start of every process that looks modules up.
        int[] modules = s.ints(MODULES);
        s.checkStrings(MODULES, modules, MODULE_NAME);
        s.checkStrings(MODULES, modules, MODULE_PATH);
        s.checkSlices(MODULES, modules, MODULE_DEPS_START, DEPS, "dependencies of module ");
        s.checkInfo(MODULES, modules, MODULE_INFO_OFFSET, "modinfo of module ");
        s.checkStrings(VALUES, s.ints(VALUES), VALUE_NAME);
        int[] builtins = s.ints(BUILTIN_INFO);
        s.checkStrings(BUILTIN_INFO, builtins, BUILTIN_INFO_NAME);
        s.checkInfo(BUILTIN_INFO, builtins, BUILTIN_INFO_OFFSET, "modinfo of builtin ");
        for (int table : KEY_TABLES) {
            int[] keys = s.ints(table);
            s.checkStrings(table, keys, KEY_PATTERN);
            s.checkSlices(table, keys, KEY_VALUES_START, VALUES, "values of key ");
            int stride = KEY_SIZE / Integer.BYTES;
            for (int key = 0; key < keys.length; key += stride) {
                int literal = keys[key + KEY_LITERAL_LENGTH / Integer.BYTES];
                if (literal < 0 || literal > keys[key + (KEY_PATTERN + PAIR_SECOND) / Integer.BYTES]) {
                    throw s.corrupt("key " + key / stride + " of table " + table
                            + " has a literal prefix longer than itself");
                }
            }
        }
        int[] deps = s.ints(DEPS);
        for (int i = 0; i < deps.length; i++) {
            if (deps[i] < 0 || deps[i] >= s.count[MODULES]) {
                throw s.corrupt("dependency " + i + " names module " + deps[i] + " of " + s.count[MODULES]);
            }
        }
        return s;
    }

    /** The records of {@code table} as little-endian ints: every record is a whole number of them. */
    private int[] ints(int table) {
        int[] ints = new int[count[table] * (RECORD_SIZE[table] / Integer.BYTES)];
        section.slice(offset[table], ints.length * Integer.BYTES).order(ByteOrder.LITTLE_ENDIAN).asIntBuffer()
                .get(ints);
        return ints;
    }

    /** The string (pool offset, length) at byte {@code field} of each record of {@code table} lies in the pool. */
    private void checkStrings(int table, int[] records, int field) throws CorruptBundleException {
        int stride = RECORD_SIZE[table] / Integer.BYTES;
        long pool = count[POOL];
        for (int at = field / Integer.BYTES; at < records.length; at += stride) {
            int from = records[at];
            int length = records[at + 1];
            if ((from | length) < 0 || from + (long) length > pool) {
                checkRange(from, length, "string of record " + at / stride + " of table " + table);
            }
        }
    }

    /** The (u32 start, u32 count) pair at byte {@code field} of each record of {@code table} lies in {@code of}. */
    private void checkSlices(int table, int[] records, int field, int of, String what)
            throws CorruptBundleException {
        int stride = RECORD_SIZE[table] / Integer.BYTES;
        long available = count[of];
        for (int at = field / Integer.BYTES; at < records.length; at += stride) {
            long start = Integer.toUnsignedLong(records[at]);
            long n = Integer.toUnsignedLong(records[at + 1]);
            if (start + n > available) {
                throw corrupt(what + at / stride + " [" + start + ", +" + n + ") exceed the " + available
                        + " records of table " + of);
            }
        }
    }

    /** The (u32 offset, u32 length) pair at byte {@code field} of each record of {@code table} lies in the blob. */
    private void checkInfo(int table, int[] records, int field, String what) throws CorruptBundleException {
        int stride = RECORD_SIZE[table] / Integer.BYTES;
        for (int at = field / Integer.BYTES; at < records.length; at += stride) {
            long start = Integer.toUnsignedLong(records[at]);
            long n = Integer.toUnsignedLong(records[at + 1]);
            if (start + n > modinfoLength) {
                throw corrupt(what + at / stride + " [" + start + ", +" + n + ") exceeds the " + modinfoLength
                        + "-byte modinfo blob");
            }
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
}
