package org.kmodpack.modules;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.kmodpack.format.KernelSymbolSection;

/**
 * The symbols the kernel image exports, from System.map (depmod -F) or Module.symvers (depmod -E, which also
 * makes depmod compare symbol versions), read line by line as depmod does.
 */
public final class KernelSymbols {
    /** An exported symbol and its version (0 from System.map). */
    record Symbol(String name, long crc) {
    }

    private static final String KSYMTAB = "__ksymtab_";

    private final List<Symbol> symbols;
    private final boolean checksVersions;

    private KernelSymbols(List<Symbol> symbols, boolean checksVersions) {
        this.symbols = List.copyOf(symbols);
        this.checksVersions = checksVersions;
    }

    /**
     * System.map: "ADDRESS TYPE NAME" lines; the names starting __ksymtab_, after one leading {@code prefix}
     * character (-P; {@link DepmodOptions#NO_SYMBOL_PREFIX} for none), are the exports. A line without two spaces
     * is reported with {@code file} as its subject.
     */
    public static KernelSymbols fromSystemMap(String file, byte[] contents, char prefix,
            Consumer<KmodProblem> problems) {
        List<Symbol> symbols = new ArrayList<>();
        int number = 0;
        for (String line : lines(contents)) {
            number++;
            int first = line.indexOf(' ');
            int second = first < 0 ? -1 : line.indexOf(' ', first + 1);
            if (second < 0) {
                problems.accept(new KmodProblem(KmodProblem.Kind.SYMBOL_MAP_LINE_INVALID, file, number, line));
                continue;
            }
            String name = SymbolResolution.withoutPrefix(line.substring(second + 1), prefix);
            if (name.startsWith(KSYMTAB)) {
                int end = name.indexOf('\n');
                symbols.add(new Symbol(name.substring(KSYMTAB.length(), end < 0 ? name.length() : end), 0));
            }
        }
        return new KernelSymbols(symbols, false);
    }

    /**
     * Module.symvers: "CRC\tNAME\tMODULE\t..." lines; the ones whose module is exactly vmlinux, their names
     * without one leading {@code prefix} character.
     */
    public static KernelSymbols fromSymvers(String file, byte[] contents, char prefix, Consumer<KmodProblem> problems) {
        List<Symbol> symbols = new ArrayList<>();
        int number = 0;
        for (String line : lines(contents)) {
            number++;
            List<String> words = new ArrayList<>(3);
            for (String word : line.split("[ \t]+")) {
                if (!word.isEmpty() && words.size() < 3) {
                    words.add(word);
                }
            }
            if (words.size() < 3 || !words.get(2).equals("vmlinux")) {
                continue;
            }
            Long crc = parseCrc(words.get(0));
            if (crc == null) {
                problems.accept(new KmodProblem(KmodProblem.Kind.SYMVERS_VERSION_INVALID, file, number,
                        words.get(0)));
                continue;
            }
            symbols.add(new Symbol(SymbolResolution.withoutPrefix(words.get(1), prefix), crc));
        }
        return new KernelSymbols(symbols, true);
    }

    /** strtoull(text, 16) that must use all of text: optional space and sign, optional 0x. */
    private static Long parseCrc(String text) {
        String digits = text.strip();
        boolean negative = false;
        if (digits.startsWith("+") || digits.startsWith("-")) {
            negative = digits.charAt(0) == '-';
            digits = digits.substring(1);
        }
        if (digits.startsWith("0x") || digits.startsWith("0X")) {
            digits = digits.substring(2);
        }
        try {
            long value = Long.parseUnsignedLong(digits, 16);
            return negative ? -value : value;
        } catch (NumberFormatException invalid) {
            return null;
        }
    }

    /** fgets lines, each with its newline, as text depmod compares byte for byte. */
    private static List<String> lines(byte[] contents) {
        List<String> lines = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < contents.length; i++) {
            if (contents[i] == '\n') {
                lines.add(new String(contents, start, i + 1 - start, StandardCharsets.UTF_8));
                start = i + 1;
            }
        }
        if (start < contents.length) {
            lines.add(new String(contents, start, contents.length - start, StandardCharsets.UTF_8));
        }
        return lines;
    }

    List<Symbol> symbols() {
        return symbols;
    }

    /** The kernel's exports as a bundle records them (spec section 18), recorded in a base at pack time. */
    public KernelSymbols(KernelSymbolSection section) {
        this(section.symbols().stream().map(symbol -> new Symbol(symbol.name(), symbol.crc())).toList(),
                section.hasVersions());
    }

    /** Where the symbols were read from. */
    public KernelSymbolSection.Source source() {
        return checksVersions ? KernelSymbolSection.Source.MODULE_SYMVERS : KernelSymbolSection.Source.SYSTEM_MAP;
    }

    /** How many distinct symbols the kernel exports. */
    public int count() {
        return distinct().size();
    }

    /**
     * The KERNEL_SYMBOLS section of these symbols, each name once with the version depmod would use: a name read
     * twice keeps the last line's, as depmod's table does.
     *
     * @throws IllegalArgumentException for a symbol the section cannot hold (a version over 32 bits)
     */
    public byte[] section() {
        return KernelSymbolSection.encode(source(), distinct());
    }

    private List<KernelSymbolSection.Symbol> distinct() {
        Map<String, Long> last = new LinkedHashMap<>();
        for (Symbol symbol : symbols) {
            // depmod's table takes "__ksymtab_" alone as an export named "", which nothing can need.
            if (!symbol.name().isEmpty()) {
                last.put(symbol.name(), symbol.crc());
            }
        }
        List<KernelSymbolSection.Symbol> distinct = new ArrayList<>(last.size());
        last.forEach((name, crc) -> distinct.add(new KernelSymbolSection.Symbol(name, crc)));
        return distinct;
    }

    boolean checksVersions() {
        return checksVersions;
    }
}
