package org.kmodpack.cli;

import java.util.Locale;

/** Byte counts as people write them: 1M, 512K, 4096. */
final class Sizes {
    private Sizes() {
    }

    static int parse(String text) {
        long value = parseLong(text);
        if (value > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("'" + text + "' is out of range");
        }
        return (int) value;
    }

    /** As {@link #parse}, for sizes past 2 GiB (T for tebibytes too). */
    static long parseLong(String text) {
        String t = text.trim().toUpperCase(Locale.ROOT).replaceAll("I?B$", "");
        int shift = switch (t.isEmpty() ? ' ' : t.charAt(t.length() - 1)) {
            case 'K' -> 10;
            case 'M' -> 20;
            case 'G' -> 30;
            case 'T' -> 40;
            default -> 0;
        };
        String digits = shift == 0 ? t : t.substring(0, t.length() - 1);
        long value;
        try {
            value = Long.parseLong(digits) << shift;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + text + "' is not a size (examples: 1M, 512K, 65536)");
        }
        if (value <= 0 || value >>> shift != Long.parseLong(digits)) {
            throw new IllegalArgumentException("'" + text + "' is out of range");
        }
        return value;
    }

    static String human(long bytes) {
        if (bytes < 1000) {
            return bytes + " B";
        }
        String[] units = {"kB", "MB", "GB", "TB"};
        double value = bytes;
        int unit = -1;
        while (value >= 1000 && unit < units.length - 1) {
            value /= 1000;
            unit++;
        }
        return String.format(Locale.ROOT, "%.1f %s", value, units[unit]);
    }
}
