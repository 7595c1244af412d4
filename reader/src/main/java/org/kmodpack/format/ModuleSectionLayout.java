package org.kmodpack.format;

/**
 * Byte positions of the MODULES section (spec/FORMAT.md section 14), shared by its decoder and encoder. All
 * integers are little-endian; a string reference is a u32 offset into the pool and a u32 length.
 */
final class ModuleSectionLayout {
    static final int MAGIC = 0x444F4D4B; // "KMOD" read as a little-endian u32
    static final int VERSION = 1;

    // Header.
    static final int HEADER_MAGIC = 0;
    static final int HEADER_VERSION = 4;
    static final int HEADER_FLAGS = 8;
    static final int HEADER_SOFTDEP_OFFSET = 12;
    static final int HEADER_SOFTDEP_LENGTH = 16;
    static final int HEADER_MODINFO_OFFSET = 20;
    static final int HEADER_MODINFO_LENGTH = 28;
    /** Then one (u32 offset, u32 count) pair per table, in table order. */
    static final int HEADER_TABLES = 36;
    static final int TABLE_REF_SIZE = 8;
    /**
     * A string reference (pool offset, length), a slice (first record, count) and a blob range (offset,
     * length) are each two u32s: the second lies this far after the first.
     */
    static final int PAIR_SECOND = 4;

    /** Section flag: the tree had modules.builtin.modinfo (kmod reports a builtin missing from it differently). */
    static final int HAS_BUILTIN_MODINFO = 1;

    // Tables, in the order of the header's pairs.
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
    static final int HEADER_SIZE = HEADER_TABLES + TABLES * TABLE_REF_SIZE;

    // A module record: name ref, path ref, u32 entry, u32 first dependency, u32 dependency count,
    // u32 modinfo offset and u32 modinfo length in the blob, u32 flags.
    static final int MODULE_NAME = 0;
    static final int MODULE_PATH = 8;
    static final int MODULE_ENTRY = 16;
    static final int MODULE_DEPS_START = 20;
    static final int MODULE_DEPS_COUNT = 24;
    static final int MODULE_INFO_OFFSET = 28;
    static final int MODULE_INFO_LENGTH = 32;
    static final int MODULE_FLAGS = 36;
    static final int MODULE_SIZE = 40;

    /** A dependency record: u32 index into the module table. */
    static final int DEP_SIZE = 4;

    // A key record (aliases, symbols, builtins, builtin aliases): pattern ref, u32 literal prefix length,
    // u32 first value, u32 value count.
    static final int KEY_PATTERN = 0;
    static final int KEY_LITERAL_LENGTH = 8;
    static final int KEY_VALUES_START = 12;
    static final int KEY_VALUES_COUNT = 16;
    static final int KEY_SIZE = 20;

    /** A value record: module name ref, u32 priority. */
    static final int VALUE_NAME = 0;
    static final int VALUE_PRIORITY = 8;
    static final int VALUE_SIZE = 12;

    /** A builtin's modinfo record: name ref, u32 offset and u32 length in the blob. */
    static final int BUILTIN_INFO_NAME = 0;
    static final int BUILTIN_INFO_OFFSET = 8;
    static final int BUILTIN_INFO_LENGTH = 12;
    static final int BUILTIN_INFO_SIZE = 16;

    /** Record size of each table, in table order; the pool's "records" are bytes. */
    static final int[] RECORD_SIZE = {1, MODULE_SIZE, DEP_SIZE, KEY_SIZE, KEY_SIZE, KEY_SIZE, KEY_SIZE, VALUE_SIZE,
        BUILTIN_INFO_SIZE};
    static final int[] KEY_TABLES = {ALIASES, SYMBOLS, BUILTINS, BUILTIN_ALIASES};

    /** Header of one modinfo entry in the blob: u8 flags, u16 key length, u32 value length. */
    static final int INFO_ENTRY_HEADER = 7;
    /** Size of an in-file modinfo value: u64 offset and u32 length of the bytes in the module file. */
    static final int INFO_IN_FILE_SIZE = 12;
    static final int INFO_IN_FILE_OFFSET = 0;
    static final int INFO_IN_FILE_LENGTH = 8;

    private ModuleSectionLayout() {
    }

    /** Each table starts on a 4-byte boundary. */
    static int align4(int n) {
        return (n + 3) & ~3;
    }
}
