package org.kmodpack.packer;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;
import org.apache.commons.compress.compressors.xz.XZCompressorInputStream;
import org.apache.commons.compress.compressors.zstandard.ZstdCompressorInputStream;

/** A module file's ELF bytes: compressed modules are recognised by their magic, as kmod and depmod do. */
final class ModuleFile {
    /** Refuse to inflate past this: no real module comes near it, and it bounds what hostile input can cost. */
    static final long MAX_MODULE_BYTES = 1L << 30;

    private ModuleFile() {
    }

    static byte[] read(Path path) throws IOException {
        return decompress(path.toString(), Files.readAllBytes(path));
    }

    /** The ELF bytes of a module file's {@code raw} bytes: {@code raw} itself when it is not compressed. */
    static byte[] decompress(String file, byte[] raw) throws IOException {
        if (!isCompressed(raw)) {
            return raw;
        }
        try (InputStream stream = open(raw)) {
            byte[] out = stream.readNBytes((int) Math.min(MAX_MODULE_BYTES + 1, Integer.MAX_VALUE - 8));
            if (out.length > MAX_MODULE_BYTES) {
                throw new IOException("it decompresses to more than " + MAX_MODULE_BYTES + " bytes");
            }
            return out;
        } catch (IOException e) {
            throw new IOException(file + ": cannot decompress the module (" + e.getMessage()
                    + "); the file is damaged", e);
        }
    }

    private static boolean isCompressed(byte[] raw) {
        return startsWith(raw, 0x28, 0xB5, 0x2F, 0xFD) || startsWith(raw, 0xFD, '7', 'z', 'X', 'Z', 0x00)
                || startsWith(raw, 0x1F, 0x8B);
    }

    private static InputStream open(byte[] raw) throws IOException {
        InputStream in = new ByteArrayInputStream(raw);
        if (startsWith(raw, 0x28, 0xB5, 0x2F, 0xFD)) {
            return new ZstdCompressorInputStream(in);
        }
        if (startsWith(raw, 0xFD, '7', 'z', 'X', 'Z', 0x00)) {
            return new XZCompressorInputStream(in, true);
        }
        return new GzipCompressorInputStream(in, true);
    }

    private static boolean startsWith(byte[] bytes, int... magic) {
        if (bytes.length < magic.length) {
            return false;
        }
        for (int i = 0; i < magic.length; i++) {
            if ((bytes[i] & 0xFF) != magic[i]) {
                return false;
            }
        }
        return true;
    }
}
