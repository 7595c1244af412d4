package org.kmodpack.packer;

/**
 * A compression level as asked for: the codec's default, its strongest setting, or a number on the codec's
 * own scale (zstd 1..22, xz 0..9). {@link PackOptions} resolves it against the codec it is used with.
 */
public sealed interface CompressionLevel {
    CompressionLevel DEFAULT = new Default();
    CompressionLevel STRONGEST = new Strongest();

    static CompressionLevel of(int level) {
        return new Exact(level);
    }

    /** The codec's default: small bundles at a pack speed close to the codec's fastest useful level. */
    record Default() implements CompressionLevel {
    }

    /** The codec's smallest output, whatever it costs. */
    record Strongest() implements CompressionLevel {
    }

    /** A level on the codec's own scale, checked against its range when resolved. */
    record Exact(int level) implements CompressionLevel {
    }
}
