package org.kmodpack.modules;

/**
 * The iteration order of kmod's hash tables (shared/hash.c), which decides where depmod writes what it keeps in
 * one: modules.symbols lists symbols, and modules.dep lists modules that modules.order does not name, in it. A
 * table of {@code buckets} (a power of two) is walked bucket by bucket, and each bucket holds its keys in
 * strcmp order; a key's bucket is its Paul Hsieh "superfast" hash, computed as on the little-endian machines
 * with signed chars that Debian's kmod runs on, masked to the table size.
 */
final class KmodHash {
    /** depmod's table of symbols. */
    static final int SYMBOL_BUCKETS = 2048;
    /** depmod's table of modules by name. */
    static final int MODULE_BUCKETS = 512;

    private KmodHash() {
    }

    /** The bucket of {@code key} in a table of {@code buckets}. */
    static int bucket(byte[] key, int buckets) {
        return superfast(key) & (buckets - 1);
    }

    static int superfast(byte[] key) {
        int length = key.length;
        int hash = length;
        int at = 0;
        for (int blocks = length >>> 2; blocks > 0; blocks--) {
            hash += u16(key, at);
            int tmp = (u16(key, at + 2) << 11) ^ hash;
            hash = (hash << 16) ^ tmp;
            at += 4;
            hash += hash >>> 11;
        }
        switch (length & 3) {
            case 3 -> {
                hash += u16(key, at);
                hash ^= hash << 16;
                hash ^= key[at + 2] << 18;
                hash += hash >>> 11;
            }
            case 2 -> {
                hash += u16(key, at);
                hash ^= hash << 11;
                hash += hash >>> 17;
            }
            case 1 -> {
                hash += key[at];
                hash ^= hash << 10;
                hash += hash >>> 1;
            }
            default -> {
            }
        }
        hash ^= hash << 3;
        hash += hash >>> 5;
        hash ^= hash << 4;
        hash += hash >>> 17;
        hash ^= hash << 25;
        hash += hash >>> 6;
        return hash;
    }

    private static int u16(byte[] key, int at) {
        return (key[at] & 0xFF) | (key[at + 1] & 0xFF) << 8;
    }
}
