package org.kmodpack.modules;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.kmodpack.format.ModinfoField;

/** Splits a .modinfo section (or a builtin's lines) into key/value pairs the way kmod does. */
final class ModinfoStrings {
    private ModinfoStrings() {
    }

    /** Where one string of a section starts and ends (its NUL, or the end of the section). */
    @FunctionalInterface
    interface Range {
        void accept(int from, int to);
    }

    /**
     * kmod_elf_get_strings, then each string split at its first '=' (a string without one is a key with an empty
     * value).
     */
    static List<ModinfoField> parse(byte[] section) {
        List<ModinfoField> info = new ArrayList<>();
        strings(section, section.length, (from, to) -> info.add(pair(Arrays.copyOfRange(section, from, to))));
        return info;
    }

    /**
     * kmod_elf_get_strings over the first {@code length} bytes of {@code section}: leading NUL padding skipped,
     * runs of NULs separate strings; {@code each} is given every string in order.
     */
    static void strings(byte[] section, int length, Range each) {
        int i = 0;
        while (i < length && section[i] == 0 && length - i > 1) {
            i++;
        }
        if (length - i <= 1) {
            return;
        }
        while (i < length) {
            int end = i;
            while (end < length && section[end] != 0) {
                end++;
            }
            each.accept(i, end);
            while (end < length && section[end] == 0) {
                end++;
            }
            i = end;
        }
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
