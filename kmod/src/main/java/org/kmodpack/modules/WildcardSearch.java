package org.kmodpack.modules;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.kmodpack.format.ModuleContent.Value;
import org.kmodpack.format.ModuleSection;
import org.kmodpack.format.ModuleSection.KeyTable;

/**
 * kmod's wildcard search of an alias-style index (libkmod's index_mm_searchwild) over a MODULES section's key
 * table: patterns are visited in the order kmod's trie walk visits them (literal prefixes of growing length,
 * as the table stores them), and each match's values are inserted before the first value of equal or higher
 * priority, so equal priorities end up latest-visited first, as in kmod.
 */
final class WildcardSearch {
    private WildcardSearch() {
    }

    static List<Value> search(ModuleSection section, KeyTable table, String key) {
        byte[] k = key.getBytes(StandardCharsets.UTF_8);
        List<Value> out = new ArrayList<>();
        for (int d = 0; d <= k.length; d++) {
            ModuleSection.KeyRange range = section.keysWithLiteralPrefix(table, k, d);
            for (int i = range.from(); i < range.to(); i++) {
                boolean matches = section.keyIsWild(table, i) ? Fnmatch.matches(section.keyPattern(table, i), k)
                        : d == k.length;
                if (matches) {
                    insertByPriority(out, section.keyValues(table, i));
                }
            }
        }
        return out;
    }

    private static void insertByPriority(List<Value> out, List<Value> values) {
        for (Value value : values) {
            int position = 0;
            while (position < out.size()
                    && Integer.compareUnsigned(out.get(position).priority(), value.priority()) < 0) {
                position++;
            }
            out.add(position, value);
        }
    }
}
