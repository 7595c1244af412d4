package org.kmodpack.modules;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.kmodpack.format.ModinfoField;

/** Splits a .modinfo section (or a builtin's lines) into key/value pairs the way kmod does. */
final class ModinfoStrings {
    private ModinfoStrings() {
    }

    /**
     * kmod_elf_get_strings: leading NUL padding skipped, runs of NULs separate strings; then each string splits
     * at its first '=' (a string without one is a key with an empty value).
     */
    static List<ModinfoField> parse(byte[] section) {
        List<ModinfoField> info = new ArrayList<>();
        int i = 0;
        while (i < section.length && section[i] == 0 && section.length - i > 1) {
            i++;
        }
        if (section.length - i <= 1) {
            return info;
        }
        while (i < section.length) {
            int end = i;
            while (end < section.length && section[end] != 0) {
                end++;
            }
            info.add(pair(Arrays.copyOfRange(section, i, end)));
            while (end < section.length && section[end] == 0) {
                end++;
            }
            i = end;
        }
        return info;
    }

    static ModinfoField pair(byte[] string) {
        for (int j = 0; j < string.length; j++) {
            if (string[j] == '=') {
                return new ModinfoField(new String(string, 0, j, java.nio.charset.StandardCharsets.UTF_8),
                        Arrays.copyOfRange(string, j + 1, string.length), false);
            }
        }
        return new ModinfoField(new String(string, java.nio.charset.StandardCharsets.UTF_8), new byte[0], false);
    }
}
