package org.kmodpack.modules;

import java.nio.charset.StandardCharsets;

/**
 * fnmatch(3) with flags 0, as kmod calls it, in the C locale (byte by byte): {@code *} and {@code ?} also match
 * '/' and a leading '.', {@code [...]} takes ranges, {@code !} or {@code ^} negation, a leading {@code ]},
 * POSIX classes such as {@code [:digit:]} and backslash escapes; a {@code [} without its {@code ]} is literal.
 */
public final class Fnmatch {
    private Fnmatch() {
    }

    public static boolean matches(String pattern, String string) {
        return matches(pattern.getBytes(StandardCharsets.UTF_8), string.getBytes(StandardCharsets.UTF_8));
    }

    public static boolean matches(byte[] pattern, byte[] string) {
        int p = 0;
        int s = 0;
        int starP = -1;
        int starS = -1;
        while (true) {
            if (p < pattern.length) {
                int c = pattern[p] & 0xFF;
                if (c == '*') {
                    while (p < pattern.length && pattern[p] == '*') {
                        p++;
                    }
                    starP = p;
                    starS = s;
                    continue;
                }
                if (s < string.length) {
                    int step = matchOne(pattern, p, string[s] & 0xFF);
                    if (step > 0) {
                        p += step;
                        s++;
                        continue;
                    }
                }
            } else if (s == string.length) {
                return true;
            }
            // Mismatch: let the last '*' swallow one more byte, or fail if there is none to retry.
            if (starP < 0 || starS >= string.length) {
                return false;
            }
            starS++;
            s = starS;
            p = starP;
        }
    }

    /** How many pattern bytes matched {@code c} at {@code p}, or 0 for no match. */
    private static int matchOne(byte[] pattern, int p, int c) {
        int first = pattern[p] & 0xFF;
        if (first == '?') {
            return 1;
        }
        if (first == '\\') {
            if (p + 1 < pattern.length) {
                return (pattern[p + 1] & 0xFF) == c ? 2 : 0;
            }
            // glibc: a trailing backslash makes the pattern invalid, and it matches nothing.
            return 0;
        }
        if (first == '[') {
            int consumed = bracket(pattern, p, c);
            if (consumed != 0) {
                return consumed > 0 ? consumed : 0;
            }
            return c == '[' ? 1 : 0;
        }
        return first == c ? 1 : 0;
    }

    /**
     * Matches {@code c} against the bracket expression at {@code p}: its length if it matches, minus its length
     * if not, 0 if the expression is not closed (then '[' is an ordinary character).
     */
    private static int bracket(byte[] pattern, int p, int c) {
        int i = p + 1;
        boolean negate = false;
        if (i < pattern.length && (pattern[i] == '!' || pattern[i] == '^')) {
            negate = true;
            i++;
        }
        boolean matched = false;
        boolean firstItem = true;
        while (i < pattern.length) {
            int b = pattern[i] & 0xFF;
            if (b == ']' && !firstItem) {
                int length = i + 1 - p;
                return matched != negate ? length : -length;
            }
            firstItem = false;
            if (b == '[' && i + 1 < pattern.length && pattern[i + 1] == ':') {
                int end = indexOf(pattern, i + 2, ":]");
                if (end > 0) {
                    String name = new String(pattern, i + 2, end - i - 2, StandardCharsets.US_ASCII);
                    Boolean inClass = inClass(name, c);
                    if (inClass == null) {
                        return 0;
                    }
                    matched |= inClass;
                    i = end + 2;
                    continue;
                }
            }
            int low = b;
            if (b == '\\' && i + 1 < pattern.length) {
                i++;
                low = pattern[i] & 0xFF;
            }
            i++;
            int high = low;
            if (i + 1 < pattern.length && pattern[i] == '-' && pattern[i + 1] != ']') {
                i++;
                high = pattern[i] & 0xFF;
                if (high == '\\' && i + 1 < pattern.length) {
                    i++;
                    high = pattern[i] & 0xFF;
                }
                i++;
            }
            if (c >= low && c <= high) {
                matched = true;
            }
        }
        return 0;
    }

    private static int indexOf(byte[] pattern, int from, String needle) {
        for (int i = from; i + 1 < pattern.length; i++) {
            if (pattern[i] == needle.charAt(0) && pattern[i + 1] == needle.charAt(1)) {
                return i;
            }
        }
        return -1;
    }

    /** C-locale character classes; null for an unknown class name, which makes glibc's pattern invalid. */
    private static Boolean inClass(String name, int c) {
        return switch (name) {
            case "alnum" -> isAlpha(c) || isDigit(c);
            case "alpha" -> isAlpha(c);
            case "digit" -> isDigit(c);
            case "lower" -> c >= 'a' && c <= 'z';
            case "upper" -> c >= 'A' && c <= 'Z';
            case "xdigit" -> isDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
            case "space" -> c == ' ' || (c >= '\t' && c <= '\r');
            case "blank" -> c == ' ' || c == '\t';
            case "punct" -> c > ' ' && c < 127 && !isAlpha(c) && !isDigit(c);
            case "print" -> c >= ' ' && c < 127;
            case "graph" -> c > ' ' && c < 127;
            case "cntrl" -> c < ' ' || c == 127;
            default -> null;
        };
    }

    private static boolean isAlpha(int c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    }

    private static boolean isDigit(int c) {
        return c >= '0' && c <= '9';
    }
}
