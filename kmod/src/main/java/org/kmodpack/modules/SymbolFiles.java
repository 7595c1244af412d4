package org.kmodpack.modules;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * modules.symbols ("alias symbol:NAME module") and its .bin, for the symbols modules export, in the order depmod
 * walks its table of symbols ({@link KmodHash}); the .bin's priority is the exporter's.
 */
final class SymbolFiles {
    static final String HEADER = "# Aliases for symbols, used by symbol_request().\n";

    private record Entry(byte[] name, int bucket, SymbolResolution.Owned symbol) {
    }

    private SymbolFiles() {
    }

    static byte[][] write(SymbolResolution symbols) {
        List<Entry> entries = new ArrayList<>();
        for (SymbolResolution.Owned symbol : symbols.moduleExports()) {
            byte[] name = symbol.name().getBytes(StandardCharsets.ISO_8859_1);
            entries.add(new Entry(name, KmodHash.bucket(name, KmodHash.SYMBOL_BUCKETS), symbol));
        }
        entries.sort(Comparator.comparingInt(Entry::bucket).thenComparing(Entry::name, Arrays::compareUnsigned));
        // Sized for its lines, the text is built without copying it as it grows.
        int length = 64;
        for (Entry entry : entries) {
            length += entry.name().length + entry.symbol().owner().name.length() + 16;
        }
        StringBuilder text = new StringBuilder(length).append(HEADER);
        DepmodBin.Writer bin = new DepmodBin.Writer();
        for (Entry entry : entries) {
            String key = "symbol:" + entry.symbol().name();
            DepmodModule owner = entry.symbol().owner();
            text.append("alias ").append(key).append(' ').append(owner.name).append('\n');
            bin.insert(key, owner.name, owner.index);
        }
        return new byte[][] {text.toString().getBytes(StandardCharsets.ISO_8859_1), bin.toBytes()};
    }
}
