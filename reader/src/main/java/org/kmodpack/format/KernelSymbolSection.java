package org.kmodpack.format;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The KERNEL_SYMBOLS section (spec/FORMAT.md section 18, format 1.4): the symbols the kernel image exports, as
 * depmod -F System.map or -E Module.symvers reads them, so that modules merged over the base later can be checked
 * for symbols nothing provides. Names are sorted and front coded (each stores the length of the prefix it shares
 * with the one before, then the rest), with every {@value #RESTART_INTERVAL}th stored whole and indexed, so that
 * a name is found by a binary search over those and a short scan, without decoding the others.
 */
public final class KernelSymbolSection {
    /** "KPKS" read as a little-endian u32. */
    private static final int MAGIC = 0x534B504B;
    public static final int VERSION = 1;
    private static final int SOURCE_AT = SectionHeader.SIZE;
    private static final int COUNT_AT = SOURCE_AT + Integer.BYTES;
    private static final int NAMES_LENGTH_AT = COUNT_AT + Integer.BYTES;
    /** Then the restart offsets, the name records, and with Module.symvers the versions. */
    static final int FIXED_SIZE = NAMES_LENGTH_AT + Integer.BYTES;
    /** Every this many names one is stored whole, and its record's offset is in the restart table. */
    public static final int RESTART_INTERVAL = 16;
    /** Longer than any kernel symbol (KSYM_NAME_LEN is 512 since Linux 6.1). */
    public static final int MAX_NAME_LENGTH = 1024;
    /** A ULEB128 number of the records takes one or two bytes: at most 2^14 - 1. */
    private static final int MAX_VARINT_BYTES = 2;

    /** Where the kernel's exports were read from; the number is the section's source field. */
    public enum Source {
        /** depmod -F: names only. */
        SYSTEM_MAP(1, "System.map"),
        /** depmod -E: names and each symbol's version (CRC), which depmod compares with a module's. */
        MODULE_SYMVERS(2, "Module.symvers");

        private final int id;
        private final String label;

        Source(int id, String label) {
            this.id = id;
            this.label = label;
        }

        /** The file kind as users name it: System.map, Module.symvers. */
        public String label() {
            return label;
        }

        static Source of(int id) {
            for (Source source : values()) {
                if (source.id == id) {
                    return source;
                }
            }
            return null;
        }
    }

    /** An exported symbol and its version (0 from System.map). */
    public record Symbol(String name, long crc) {
    }

    private final Source source;
    private final int count;
    private final ByteBuffer restarts;
    private final ByteBuffer names;
    private final ByteBuffer crcs;

    private KernelSymbolSection(Source source, int count, ByteBuffer restarts, ByteBuffer names, ByteBuffer crcs) {
        this.source = source;
        this.count = count;
        this.restarts = restarts;
        this.names = names;
        this.crcs = crcs;
    }

    /**
     * The section of {@code symbols}: distinct names, 1 to {@value #MAX_NAME_LENGTH} bytes of UTF-8 without NUL,
     * in any order; versions are kept with {@link Source#MODULE_SYMVERS} and must fit 32 bits.
     *
     * @throws IllegalArgumentException for a name twice, a name the section cannot hold, or a version over 32 bits
     */
    public static byte[] encode(Source source, List<Symbol> symbols) {
        List<byte[]> sorted = new ArrayList<>(symbols.size());
        List<Symbol> bySorted = new ArrayList<>(symbols);
        bySorted.sort((a, b) -> Names.compare(a.name().getBytes(StandardCharsets.UTF_8),
                b.name().getBytes(StandardCharsets.UTF_8)));
        for (Symbol symbol : bySorted) {
            byte[] name = symbol.name().getBytes(StandardCharsets.UTF_8);
            if (name.length == 0 || name.length > MAX_NAME_LENGTH || symbol.name().indexOf('\0') >= 0) {
                throw new IllegalArgumentException("symbol name '" + symbol.name() + "' is empty, longer than "
                        + MAX_NAME_LENGTH + " bytes or holds a NUL");
            }
            if (!sorted.isEmpty() && Arrays.equals(sorted.get(sorted.size() - 1), name)) {
                throw new IllegalArgumentException("symbol " + symbol.name() + " is given twice");
            }
            if (source == Source.MODULE_SYMVERS && (symbol.crc() >>> 32) != 0) {
                throw new IllegalArgumentException("symbol " + symbol.name() + " has version 0x"
                        + Long.toHexString(symbol.crc()) + ", longer than 32 bits");
            }
            sorted.add(name);
        }
        java.io.ByteArrayOutputStream records = new java.io.ByteArrayOutputStream();
        int restartCount = restartCount(sorted.size());
        int[] restartOffsets = new int[restartCount];
        byte[] previous = new byte[0];
        for (int i = 0; i < sorted.size(); i++) {
            byte[] name = sorted.get(i);
            int shared = 0;
            if (i % RESTART_INTERVAL == 0) {
                restartOffsets[i / RESTART_INTERVAL] = records.size();
            } else {
                while (shared < previous.length && shared < name.length && previous[shared] == name[shared]) {
                    shared++;
                }
            }
            writeVarint(records, shared);
            writeVarint(records, name.length - shared);
            records.write(name, shared, name.length - shared);
            previous = name;
        }
        int crcBytes = source == Source.MODULE_SYMVERS ? Integer.BYTES * sorted.size() : 0;
        ByteBuffer out = ByteBuffer.allocate(FIXED_SIZE + Integer.BYTES * restartCount + records.size() + crcBytes)
                .order(ByteOrder.LITTLE_ENDIAN);
        out.putInt(MAGIC).putInt(VERSION).putInt(source.id).putInt(sorted.size()).putInt(records.size());
        for (int offset : restartOffsets) {
            out.putInt(offset);
        }
        out.put(records.toByteArray());
        if (source == Source.MODULE_SYMVERS) {
            for (Symbol symbol : bySorted) {
                out.putInt((int) symbol.crc());
            }
        }
        return out.array();
    }

    /**
     * Checks the whole section: its fields, that the restart table points at each restart name's record, that
     * every record lies inside the names and shares no more than the name before it has (none at a restart), and
     * that the names are strictly increasing, valid UTF-8 without NUL, of 1 to {@value #MAX_NAME_LENGTH} bytes.
     */
    public static KernelSymbolSection decode(ByteBuffer section, String bundle) throws CorruptBundleException {
        ByteBuffer in = SectionHeader.open(section, "KERNEL_SYMBOLS", MAGIC, VERSION, FIXED_SIZE, bundle);
        int length = in.remaining();
        int sourceId = in.getInt(SOURCE_AT);
        Source source = Source.of(sourceId);
        if (source == null) {
            throw new CorruptBundleException(bundle, "KERNEL_SYMBOLS section's source "
                    + Integer.toUnsignedString(sourceId) + " is neither 1 (System.map) nor 2 (Module.symvers)");
        }
        long count = Integer.toUnsignedLong(in.getInt(COUNT_AT));
        long namesLength = Integer.toUnsignedLong(in.getInt(NAMES_LENGTH_AT));
        long restartBytes = Integer.BYTES * ((count + RESTART_INTERVAL - 1) / RESTART_INTERVAL);
        long crcBytes = source == Source.MODULE_SYMVERS ? Integer.BYTES * count : 0;
        // Bounds the count by the section's size before anything is walked.
        if (FIXED_SIZE + restartBytes + namesLength + crcBytes != length) {
            throw new CorruptBundleException(bundle, "KERNEL_SYMBOLS section of " + length + " bytes does not hold "
                    + count + " symbols with " + namesLength + " bytes of names");
        }
        ByteBuffer restarts = in.slice(FIXED_SIZE, (int) restartBytes).order(ByteOrder.LITTLE_ENDIAN);
        ByteBuffer names = in.slice(FIXED_SIZE + (int) restartBytes, (int) namesLength)
                .order(ByteOrder.LITTLE_ENDIAN);
        ByteBuffer crcs = in.slice(FIXED_SIZE + (int) (restartBytes + namesLength), (int) crcBytes)
                .order(ByteOrder.LITTLE_ENDIAN);
        KernelSymbolSection decoded = new KernelSymbolSection(source, (int) count, restarts, names, crcs);
        decoded.check(bundle);
        return decoded;
    }

    private void check(String bundle) throws CorruptBundleException {
        byte[] previous = new byte[MAX_NAME_LENGTH];
        int previousLength = 0;
        byte[] name = new byte[MAX_NAME_LENGTH];
        int at = 0;
        for (int i = 0; i < count; i++) {
            if (i % RESTART_INTERVAL == 0 && restarts.getInt(Integer.BYTES * (i / RESTART_INTERVAL)) != at) {
                throw new CorruptBundleException(bundle, "KERNEL_SYMBOLS section's restart "
                        + i / RESTART_INTERVAL + " does not point at symbol " + i + "'s record at " + at);
            }
            int shared = varint(at, bundle, i);
            at += varintLength(at);
            int suffix = varint(at, bundle, i);
            at += varintLength(at);
            if (shared > (i % RESTART_INTERVAL == 0 ? 0 : previousLength) || suffix > names.limit() - at
                    || shared + suffix == 0 || shared + suffix > MAX_NAME_LENGTH) {
                throw new CorruptBundleException(bundle, "KERNEL_SYMBOLS section's symbol " + i + " shares "
                        + shared + " bytes with the one before and adds " + suffix + ", which its "
                        + names.limit() + " bytes of names cannot hold");
            }
            System.arraycopy(previous, 0, name, 0, shared);
            names.get(at, name, shared, suffix);
            at += suffix;
            int nameLength = shared + suffix;
            // The two share their first `shared` bytes: only what follows can order them.
            if (i > 0 && Arrays.compareUnsigned(previous, shared, previousLength, name, shared, nameLength) >= 0) {
                throw new CorruptBundleException(bundle, "KERNEL_SYMBOLS section's symbol " + i + " is not after "
                        + "the one before it in byte order");
            }
            boolean nul = false;
            boolean ascii = true;
            for (int b = 0; b < nameLength; b++) {
                nul |= name[b] == 0;
                ascii &= name[b] >= 0;
            }
            if (nul || !ascii && !Utf8.isValid(Arrays.copyOf(name, nameLength))) {
                throw new CorruptBundleException(bundle, "KERNEL_SYMBOLS section's symbol " + i
                        + " is not valid UTF-8 or holds a NUL byte");
            }
            System.arraycopy(name, 0, previous, 0, nameLength);
            previousLength = nameLength;
        }
        if (at != names.limit()) {
            throw new CorruptBundleException(bundle, (names.limit() - at) + " bytes after the last kernel symbol "
                    + "belong to nothing");
        }
    }

    /** A ULEB128 number of at most {@value #MAX_VARINT_BYTES} bytes at {@code at} of the names. */
    private int varint(int at, String bundle, int symbol) throws CorruptBundleException {
        int value = 0;
        for (int i = 0; i < MAX_VARINT_BYTES; i++) {
            if (at + i >= names.limit()) {
                throw new CorruptBundleException(bundle, "KERNEL_SYMBOLS section ends inside symbol " + symbol);
            }
            int b = names.get(at + i) & 0xFF;
            value |= (b & 0x7F) << (7 * i);
            if ((b & 0x80) == 0) {
                return value;
            }
        }
        throw new CorruptBundleException(bundle, "KERNEL_SYMBOLS section's symbol " + symbol + " has a length of "
                + "more than " + MAX_VARINT_BYTES + " bytes");
    }

    private int varintLength(int at) {
        return (names.get(at) & 0x80) == 0 ? 1 : 2;
    }

    /** A checked number's value (see {@link #varint}). */
    private int varintAt(int at) {
        int b = names.get(at) & 0xFF;
        return (b & 0x80) == 0 ? b : (b & 0x7F) | (names.get(at + 1) & 0xFF) << 7;
    }

    private static void writeVarint(java.io.ByteArrayOutputStream out, int value) {
        if (value >= 1 << (7 * MAX_VARINT_BYTES)) {
            throw new IllegalArgumentException("length " + value + " does not fit the section");
        }
        if (value >= 0x80) {
            out.write(value & 0x7F | 0x80);
            out.write(value >>> 7);
        } else {
            out.write(value);
        }
    }

    private static int restartCount(long count) {
        return (int) ((count + RESTART_INTERVAL - 1) / RESTART_INTERVAL);
    }

    public Source source() {
        return source;
    }

    /** How many symbols the kernel exports. */
    public int count() {
        return count;
    }

    /** Whether the versions are recorded (from Module.symvers), so that depmod -E's comparison can be made. */
    public boolean hasVersions() {
        return source == Source.MODULE_SYMVERS;
    }

    /** The index of {@code name} among the sorted names, or -1 when the kernel does not export it. */
    public int find(String name) {
        byte[] wanted = name.getBytes(StandardCharsets.UTF_8);
        Cursor cursor = new Cursor();
        int low = 0;
        int high = restartCount(count) - 1;
        // The last restart whose name is at most the wanted one.
        int restart = -1;
        while (low <= high) {
            int middle = (low + high) >>> 1;
            cursor.at = restarts.getInt(Integer.BYTES * middle);
            cursor.next();
            int order = cursor.compareTo(wanted);
            if (order == 0) {
                return middle * RESTART_INTERVAL;
            }
            if (order < 0) {
                restart = middle;
                low = middle + 1;
            } else {
                high = middle - 1;
            }
        }
        if (restart < 0) {
            return -1;
        }
        cursor.at = restarts.getInt(Integer.BYTES * restart);
        for (int i = restart * RESTART_INTERVAL; i < Math.min(count, (restart + 1) * RESTART_INTERVAL); i++) {
            cursor.next();
            int order = cursor.compareTo(wanted);
            if (order >= 0) {
                return order == 0 ? i : -1;
            }
        }
        return -1;
    }

    /** Walks the checked name records: each decoded over the name before it (a restart's shares nothing). */
    private final class Cursor {
        int at;
        int length;
        final byte[] name = new byte[MAX_NAME_LENGTH];

        void next() {
            int shared = varintAt(at);
            at += varintLength(at);
            int added = varintAt(at);
            at += varintLength(at);
            names.get(at, name, shared, added);
            at += added;
            length = shared + added;
        }

        int compareTo(byte[] other) {
            return Arrays.compareUnsigned(name, 0, length, other, 0, other.length);
        }
    }

    /** The version of symbol {@code index} (from {@link #find}); 0 without {@link #hasVersions}. */
    public long crc(int index) {
        return hasVersions() ? Integer.toUnsignedLong(crcs.getInt(Integer.BYTES * index)) : 0;
    }

    /** Every symbol, in byte order of the names. */
    public List<Symbol> symbols() {
        List<Symbol> all = new ArrayList<>(count);
        Cursor cursor = new Cursor();
        for (int i = 0; i < count; i++) {
            cursor.next();
            all.add(new Symbol(new String(cursor.name, 0, cursor.length, StandardCharsets.UTF_8), crc(i)));
        }
        return all;
    }
}
