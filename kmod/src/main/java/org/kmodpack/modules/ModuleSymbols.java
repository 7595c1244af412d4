package org.kmodpack.modules;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.kmodpack.reader.Bundle;
import org.kmodpack.reader.Entry;

/**
 * What depmod reads from one module file, as libkmod 30 reads it: the symbols it exports (with their versions),
 * the symbols it needs (undefined ones, then the __versions entries no undefined symbol claimed), and its alias
 * and softdep .modinfo values. A file libkmod cannot open as ELF gives its errno and nothing else.
 *
 * @param errno 0, or why the file is not a module (ENOEXEC, EINVAL) as libkmod says it
 */
record ModuleSymbols(int errno, List<Symbol> exports, List<Symbol> imports, List<String> aliases,
        List<String> softdeps) {
    /** A symbol, its version (CRC) and whether it is bound weak. */
    record Symbol(String name, long crc, boolean weak) {
    }

    private static final int EI_NIDENT = 16;
    /** libkmod reads this many bytes to recognise a compressed file, and refuses shorter files. */
    private static final int MAGIC_BYTES = 6;
    private static final int SHN_UNDEF = 0;
    private static final int SHN_ABS = 0xFFF1;
    private static final int STB_WEAK = 2;
    private static final int STT_REGISTER = 13;
    private static final int EM_SPARC = 2;
    private static final int EM_SPARCV9 = 43;
    /** A __versions entry: the CRC (4 or 8 bytes by class), then the NUL-padded name; 64 bytes either way. */
    private static final int VERSION_ENTRY = 64;
    private static final String CRC_PREFIX = "__crc_";
    /** The .modinfo fields depmod reads, up to their '=' (neither key holds one, so each is its string's first). */
    private static final byte[] ALIAS_FIELD = "alias=".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] SOFTDEP_FIELD = "softdep=".getBytes(StandardCharsets.US_ASCII);

    static ModuleSymbols failed(int errno) {
        return new ModuleSymbols(errno, List.of(), List.of(), List.of(), List.of());
    }

    /** Reads a module file's bytes (compressed by xz or zstd, or plain; gzip is not opened, as Debian's kmod 30 has no zlib). */
    static ModuleSymbols read(String path, ByteBuffer raw) {
        return read(path, raw, new SymbolPool());
    }

    /** Reads the module file {@code path} of {@code bundle}; ENOENT, as libkmod says it, when it has no such file. */
    static ModuleSymbols read(Bundle bundle, String path) throws IOException {
        Entry file = bundle.find(path).filter(Entry::isFile).orElse(null);
        return file == null ? failed(Errno.ENOENT) : read(bundle, file);
    }

    /** Reads a module file of {@code bundle}. */
    static ModuleSymbols read(Bundle bundle, Entry file) throws IOException {
        // A file within one block is read where the block's bytes lie rather than copied out of them first (each
        // modprobe --layer reads every layer module so, twice).
        ModuleSymbols[] inBlock = new ModuleSymbols[1];
        bundle.read(file, 0, (int) Math.min(file.size(), Integer.MAX_VALUE), (bytes, offset, length) -> {
            if (length == file.size()) {
                inBlock[0] = read(file.path(), ByteBuffer.wrap(bytes, offset, length).slice().asReadOnlyBuffer());
            }
        });
        return inBlock[0] != null ? inBlock[0] : read(file.path(), ByteBuffer.wrap(bundle.readAllBytes(file)));
    }

    /**
     * As {@link #read(String, ByteBuffer)}, the symbols the module needs taken from {@code pool} where it holds an
     * equal one (one pool per thread: it is not safe for several).
     */
    static ModuleSymbols read(String path, ByteBuffer raw, SymbolPool pool) {
        Opened opened = open(path, raw);
        if (opened.errno() != 0) {
            return failed(opened.errno());
        }
        Elf elf = opened.elf();
        try {
            SymbolTable table = SymbolTable.of(elf);
            List<String> aliases = new ArrayList<>();
            List<String> softdeps = new ArrayList<>();
            modinfo(elf, aliases, softdeps);
            return new ModuleSymbols(0, exports(elf, table), imports(elf, table, pool), aliases, softdeps);
        } catch (RuntimeException outOfBounds) {
            // A section table that points past its own data: libkmod reads garbage there; we read nothing.
            return new ModuleSymbols(0, List.of(), List.of(), List.of(), List.of());
        }
    }

    /**
     * kmod_elf_get_modversions of a module file's bytes: its __versions entries in order (a leading '.' of a name
     * dropped). No such section is ENOENT, a section of a size no entries make EINVAL, as libkmod answers.
     */
    static ModuleIndex.SymbolVersions modversions(String path, ByteBuffer raw) {
        Opened opened = open(path, raw);
        if (opened.errno() != 0) {
            return new ModuleIndex.SymbolVersions(opened.errno(), List.of());
        }
        ByteBuffer section = opened.elf().find("__versions");
        if (section == null) {
            return new ModuleIndex.SymbolVersions(Errno.ENOENT, List.of());
        }
        if (section.limit() % VERSION_ENTRY != 0) {
            return new ModuleIndex.SymbolVersions(Errno.EINVAL, List.of());
        }
        int crcSize = opened.elf().is64() ? 8 : 4;
        List<ModuleIndex.SymbolVersion> versions = new ArrayList<>();
        for (int at = 0; at < section.limit(); at += VERSION_ENTRY) {
            String name = latin1(section, at + crcSize, nulOrEnd(section, at + crcSize));
            versions.add(new ModuleIndex.SymbolVersion(name.startsWith(".") ? name.substring(1) : name,
                    crc(section, at, crcSize)));
        }
        return new ModuleIndex.SymbolVersions(0, List.copyOf(versions));
    }

    /** Where the NUL-terminated string at {@code from} ends: its NUL, or the end of the buffer. */
    private static int nulOrEnd(ByteBuffer buffer, int from) {
        int end = from;
        while (end < buffer.limit() && buffer.get(end) != 0) {
            end++;
        }
        return end;
    }

    private static long crc(ByteBuffer versions, int at, int size) {
        return size == 8 ? versions.getLong(at) : Integer.toUnsignedLong(versions.getInt(at));
    }

    /** A module file as libkmod opens it: its ELF, or the errno libkmod gives (and no ELF). */
    private record Opened(int errno, Elf elf) {
    }

    private static Opened open(String path, ByteBuffer raw) {
        if (raw.remaining() < MAGIC_BYTES) {
            return new Opened(Errno.EINVAL, null);
        }
        ByteBuffer module = raw;
        byte[] head = new byte[MAGIC_BYTES];
        raw.get(raw.position(), head);
        Optional<ModuleFile.Compression> compression = ModuleFile.compression(head);
        if (compression.isPresent() && compression.get() != ModuleFile.Compression.GZIP) {
            byte[] compressed = new byte[raw.remaining()];
            raw.get(raw.position(), compressed);
            try {
                module = ByteBuffer.wrap(ModuleFile.decompress(path, compressed));
            } catch (IOException corrupt) {
                return new Opened(Errno.EINVAL, null);
            }
        }
        int errno = identify(module);
        if (errno != 0) {
            return new Opened(errno, null);
        }
        try {
            return new Opened(0, Elf.parse(path, module));
        } catch (IOException | RuntimeException invalid) {
            return new Opened(Errno.EINVAL, null);
        }
    }

    /** elf_identify: no magic (or no room for it) is ENOEXEC, a bad class, byte order or header EINVAL. */
    private static int identify(ByteBuffer module) {
        int at = module.position();
        int size = module.remaining();
        if (size <= EI_NIDENT || module.get(at) != 0x7F || module.get(at + 1) != 'E' || module.get(at + 2) != 'L'
                || module.get(at + 3) != 'F') {
            return Errno.ENOEXEC;
        }
        int elfClass = module.get(at + 4);
        int data = module.get(at + 5);
        if ((elfClass != 1 && elfClass != 2) || size <= (elfClass == 1 ? 52 : 64) || (data != 1 && data != 2)) {
            return Errno.EINVAL;
        }
        return 0;
    }

    /** The alias and softdep values of .modinfo; no other field is made into a string. */
    private static void modinfo(Elf elf, List<String> aliases, List<String> softdeps) {
        ByteBuffer section = elf.find(".modinfo");
        if (section == null) {
            return;
        }
        byte[] contents = SymbolTable.copy(section, SymbolTable.SCRATCH.get(), SymbolTable.MODINFO);
        ModinfoStrings.strings(contents, section.limit(), (from, to) -> {
            if (startsWith(contents, from, to, ALIAS_FIELD)) {
                aliases.add(new String(contents, from + ALIAS_FIELD.length, to - from - ALIAS_FIELD.length,
                        StandardCharsets.UTF_8));
            } else if (startsWith(contents, from, to, SOFTDEP_FIELD)) {
                softdeps.add(new String(contents, from + SOFTDEP_FIELD.length, to - from - SOFTDEP_FIELD.length,
                        StandardCharsets.UTF_8));
            }
        });
    }

    private static boolean startsWith(byte[] bytes, int from, int to, byte[] prefix) {
        return to - from >= prefix.length && Arrays.equals(bytes, from, from + prefix.length, prefix, 0, prefix.length);
    }

    /** A value is a C string: it ends at its first NUL. */
    static String cString(byte[] value) {
        int end = 0;
        while (end < value.length && value[end] != 0) {
            end++;
        }
        return new String(value, 0, end, StandardCharsets.UTF_8);
    }

    /** kmod_elf_get_symbols: the __crc_ symbols of .symtab, else the names in __ksymtab_strings. */
    private static List<Symbol> exports(Elf elf, SymbolTable table) {
        if (table != null) {
            List<Symbol> exports = new ArrayList<>();
            boolean complete = true;
            for (int i = 1; i < table.count; i++) {
                int nameAt = table.nameOffset(i);
                if (Integer.toUnsignedLong(nameAt) >= table.stringsLength) {
                    complete = false;
                    break;
                }
                if (!table.startsWith(nameAt, CRC_PREFIX)) {
                    continue;
                }
                String name = table.name(nameAt + CRC_PREFIX.length());
                long crc = resolveCrc(elf, table.value(i), table.sectionIndex(i));
                exports.add(new Symbol(name, crc, (table.info(i) >>> 4) == STB_WEAK));
            }
            if (complete && !exports.isEmpty()) {
                return exports;
            }
        }
        return ksymtabStrings(elf);
    }

    private static long resolveCrc(Elf elf, long value, int sectionIndex) {
        if (sectionIndex == SHN_ABS || sectionIndex == SHN_UNDEF) {
            return value;
        }
        ByteBuffer section = elf.sectionAt(sectionIndex);
        if (section == null || section.limit() < 4 || Long.compareUnsigned(value, section.limit() - 4) > 0) {
            return -1;
        }
        return Integer.toUnsignedLong(section.getInt((int) value));
    }

    private static List<Symbol> ksymtabStrings(Elf elf) {
        ByteBuffer strings = elf.find("__ksymtab_strings");
        if (strings == null || strings.limit() == 0) {
            return List.of();
        }
        int start = 0;
        while (start < strings.limit() - 1 && strings.get(start) == 0) {
            start++;
        }
        List<Symbol> exports = new ArrayList<>();
        if (strings.limit() - start <= 1) {
            return exports;
        }
        int last = start;
        for (int i = start; i <= strings.limit(); i++) {
            if (i == strings.limit() || strings.get(i) == 0) {
                if (i > last) {
                    exports.add(new Symbol(latin1(strings, last, i), 0, false));
                }
                last = i + 1;
            }
        }
        return exports;
    }

    /** kmod_elf_get_dependency_symbols; a damaged table gives none, as libkmod's error does. */
    private static List<Symbol> imports(Elf elf, SymbolTable table, SymbolPool pool) {
        if (table == null) {
            return List.of();
        }
        ByteBuffer versionSection = elf.find("__versions");
        if (versionSection != null && versionSection.limit() % VERSION_ENTRY != 0) {
            versionSection = null;
        }
        int crcSize = elf.is64() ? 8 : 4;
        // Read as an array: byte by byte through a mapping is what made this the costliest part of depmod.
        Versions versions = versionSection == null ? null : new Versions(
                SymbolTable.copy(versionSection, SymbolTable.SCRATCH.get(), SymbolTable.VERSIONS),
                versionSection.limit(), crcSize, versionSection.order() == java.nio.ByteOrder.BIG_ENDIAN);
        int versionCount = versions == null ? 0 : versions.count;
        boolean[] claimed = new boolean[versionCount];
        boolean registers = elf.machine() == EM_SPARC || elf.machine() == EM_SPARCV9;
        List<Symbol> imports = new ArrayList<>(versionCount + 8);
        for (int i = 1; i < table.count; i++) {
            if (table.sectionIndex(i) != SHN_UNDEF) {
                continue;
            }
            int info = table.info(i);
            if (registers && (info & 0xF) == STT_REGISTER) {
                continue;
            }
            int nameAt = table.nameOffset(i);
            if (Integer.toUnsignedLong(nameAt) >= table.stringsLength) {
                return List.of();
            }
            if (table.nameEmpty(nameAt)) {
                continue;
            }
            int nameEnd = table.nameEnd(nameAt);
            int version = versions == null ? -1 : versions.find(table.strings, nameAt, nameEnd);
            long crc = 0;
            if (version >= 0) {
                claimed[version] = true;
                crc = versions.crc(version);
            }
            imports.add(pool.symbol(table.strings, nameAt, nameEnd, crc, (info >>> 4) == STB_WEAK));
        }
        for (int v = 0; v < versionCount; v++) {
            if (!claimed[v]) {
                int start = v * VERSION_ENTRY + crcSize;
                imports.add(pool.symbol(versions.bytes, start, versions.nameEnds[v], versions.crc(v), false));
            }
        }
        return imports;
    }

    /**
     * The symbols needed by the modules one thread has read, found again by the bytes of their name, their version
     * and their binding: most are needed by many modules, with the same version, and then share one Symbol (and
     * one String) rather than each module making its own.
     */
    static final class SymbolPool {
        private Symbol[] symbols = new Symbol[256];
        private byte[][] names = new byte[256][];
        private int count;

        Symbol symbol(byte[] bytes, int from, int to, long crc, boolean weak) {
            int slot = slot(nameHash(bytes, from, to), crc, weak);
            for (Symbol symbol = symbols[slot]; symbol != null; symbol = symbols[slot]) {
                if (symbol.crc() == crc && symbol.weak() == weak
                        && Arrays.equals(names[slot], 0, names[slot].length, bytes, from, to)) {
                    return symbol;
                }
                slot = (slot + 1) & (symbols.length - 1);
            }
            byte[] name = Arrays.copyOfRange(bytes, from, to);
            Symbol symbol = new Symbol(new String(name, StandardCharsets.ISO_8859_1), crc, weak);
            symbols[slot] = symbol;
            names[slot] = name;
            if (++count * 2 > symbols.length) {
                grow();
            }
            return symbol;
        }

        private int slot(int nameHash, long crc, boolean weak) {
            int hash = nameHash * 31 + Long.hashCode(crc) * 2 + (weak ? 1 : 0);
            return (hash ^ (hash >>> 16)) & (symbols.length - 1);
        }

        private void grow() {
            Symbol[] oldSymbols = symbols;
            byte[][] oldNames = names;
            symbols = new Symbol[oldSymbols.length * 2];
            names = new byte[oldNames.length * 2][];
            for (int i = 0; i < oldSymbols.length; i++) {
                if (oldSymbols[i] != null) {
                    byte[] name = oldNames[i];
                    int slot = slot(nameHash(name, 0, name.length), oldSymbols[i].crc(), oldSymbols[i].weak());
                    while (symbols[slot] != null) {
                        slot = (slot + 1) & (symbols.length - 1);
                    }
                    symbols[slot] = oldSymbols[i];
                    names[slot] = name;
                }
            }
        }
    }

    private static int nameHash(byte[] name, int from, int to) {
        int hash = 0;
        for (int i = from; i < to; i++) {
            hash = 31 * hash + name[i];
        }
        return hash ^ (hash >>> 16);
    }

    /**
     * __versions, its entries found by the bytes of a name (a table of open addressing over their hashes). The
     * first of two equal names is found, as libkmod finds it.
     */
    private static final class Versions {
        final byte[] bytes;
        final int count;
        final int crcSize;
        final boolean bigEndian;
        /** Where each entry's name ends: its first NUL, or the end of the section. */
        final int[] nameEnds;
        /** Entry index + 1 by hash, 0 for none. */
        final int[] slots;

        Versions(byte[] bytes, int length, int crcSize, boolean bigEndian) {
            this.bytes = bytes;
            this.count = length / VERSION_ENTRY;
            this.crcSize = crcSize;
            this.bigEndian = bigEndian;
            nameEnds = new int[count];
            slots = new int[Integer.highestOneBit(Math.max(count, 8) * 2) * 2];
            for (int v = 0; v < count; v++) {
                int start = v * VERSION_ENTRY + crcSize;
                int end = start;
                while (end < length && bytes[end] != 0) {
                    end++;
                }
                nameEnds[v] = end;
                if (find(bytes, start, end) < 0) {
                    int slot = nameHash(bytes, start, end) & (slots.length - 1);
                    while (slots[slot] != 0) {
                        slot = (slot + 1) & (slots.length - 1);
                    }
                    slots[slot] = v + 1;
                }
            }
        }

        /** The entry named by {@code name[from, to)}, or -1. */
        int find(byte[] name, int from, int to) {
            int slot = nameHash(name, from, to) & (slots.length - 1);
            for (int entry = slots[slot]; entry != 0; entry = slots[slot]) {
                int start = (entry - 1) * VERSION_ENTRY + crcSize;
                if (Arrays.equals(bytes, start, nameEnds[entry - 1], name, from, to)) {
                    return entry - 1;
                }
                slot = (slot + 1) & (slots.length - 1);
            }
            return -1;
        }

        long crc(int v) {
            int at = v * VERSION_ENTRY;
            long crc = 0;
            for (int i = 0; i < crcSize; i++) {
                long octet = bytes[bigEndian ? at + i : at + crcSize - 1 - i] & 0xFF;
                crc = crc << 8 | octet;
            }
            return crc;
        }
    }

    /** The bytes from {@code from} to {@code to}; a buffer over an array is read as the array. */
    private static String latin1(ByteBuffer buffer, int from, int to) {
        if (buffer.hasArray()) {
            return new String(buffer.array(), buffer.arrayOffset() + from, to - from, StandardCharsets.ISO_8859_1);
        }
        byte[] bytes = new byte[to - from];
        buffer.get(from, bytes);
        return new String(bytes, StandardCharsets.ISO_8859_1);
    }

    /**
     * .symtab with .strtab, entries of the ELF class's size; null when libkmod would not read them. Both are
     * copied out of the file once: they are read entry by entry and byte by byte, which costs far less on an
     * array than through a mapping. The arrays are the reading thread's, reused from module to module (fresh
     * ones would cost a page fault per 4 KiB of them), so a table lives only while its module is read.
     */
    private static final class SymbolTable {
        /** The reading thread's arrays, by these indexes. */
        static final ThreadLocal<byte[][]> SCRATCH = ThreadLocal.withInitial(
                () -> new byte[][] {new byte[1 << 16], new byte[1 << 16], new byte[1 << 12], new byte[1 << 12]});
        static final int SYMBOLS = 0;
        static final int STRINGS = 1;
        static final int VERSIONS = 2;
        static final int MODINFO = 3;

        final byte[] symbols;
        final byte[] strings;
        final int symbolsLength;
        final int stringsLength;
        final boolean is64;
        final boolean bigEndian;
        final int entrySize;
        final int count;

        private SymbolTable(ByteBuffer symbols, ByteBuffer strings, boolean is64, boolean bigEndian) {
            byte[][] scratch = SCRATCH.get();
            this.symbols = copy(symbols, scratch, SYMBOLS);
            this.strings = copy(strings, scratch, STRINGS);
            this.symbolsLength = symbols.limit();
            this.stringsLength = strings.limit();
            this.is64 = is64;
            this.bigEndian = bigEndian;
            this.entrySize = is64 ? 24 : 16;
            this.count = symbolsLength / entrySize;
        }

        static SymbolTable of(Elf elf) {
            ByteBuffer strings = elf.find(".strtab");
            ByteBuffer symbols = elf.find(".symtab");
            int entrySize = elf.is64() ? 24 : 16;
            if (strings == null || symbols == null || symbols.limit() % entrySize != 0) {
                return null;
            }
            return new SymbolTable(symbols, strings, elf.is64(), symbols.order() == java.nio.ByteOrder.BIG_ENDIAN);
        }

        static byte[] copy(ByteBuffer section, byte[][] scratch, int which) {
            if (scratch[which].length < section.limit()) {
                scratch[which] = new byte[Math.max(section.limit(), scratch[which].length * 2)];
            }
            section.get(0, scratch[which], 0, section.limit());
            return scratch[which];
        }

        int nameOffset(int i) {
            return u32(i * entrySize);
        }

        int info(int i) {
            return symbols[i * entrySize + (is64 ? 4 : 12)] & 0xFF;
        }

        int sectionIndex(int i) {
            int at = i * entrySize + (is64 ? 6 : 14);
            int a = symbols[at] & 0xFF;
            int b = symbols[at + 1] & 0xFF;
            return bigEndian ? a << 8 | b : b << 8 | a;
        }

        long value(int i) {
            int at = i * entrySize + (is64 ? 8 : 4);
            if (!is64) {
                return Integer.toUnsignedLong(u32(at));
            }
            long first = Integer.toUnsignedLong(u32(at));
            long second = Integer.toUnsignedLong(u32(at + 4));
            return bigEndian ? first << 32 | second : second << 32 | first;
        }

        private int u32(int at) {
            int a = symbols[at] & 0xFF;
            int b = symbols[at + 1] & 0xFF;
            int c = symbols[at + 2] & 0xFF;
            int d = symbols[at + 3] & 0xFF;
            return bigEndian ? a << 24 | b << 16 | c << 8 | d : d << 24 | c << 16 | b << 8 | a;
        }

        boolean startsWith(int at, String prefix) {
            if (at > stringsLength - prefix.length()) {
                return false;
            }
            for (int k = 0; k < prefix.length(); k++) {
                if (strings[at + k] != prefix.charAt(k)) {
                    return false;
                }
            }
            return true;
        }

        /** The NUL-terminated name at {@code at} (to the end of the table when it lacks its NUL). */
        String name(int at) {
            return new String(strings, at, nameEnd(at) - at, StandardCharsets.ISO_8859_1);
        }

        int nameEnd(int at) {
            int end = at;
            while (end < stringsLength && strings[end] != 0) {
                end++;
            }
            return end;
        }

        boolean nameEmpty(int at) {
            return strings[at] == 0;
        }
    }
}
