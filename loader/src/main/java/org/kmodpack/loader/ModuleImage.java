package org.kmodpack.loader;

import com.github.luben.zstd.ZstdInputStream;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Optional;
import java.util.zip.GZIPInputStream;
import org.tukaani.xz.XZInputStream;

/**
 * A module file's bytes as the kernel takes them: uncompressed modules as they are; compressed ones (recognised
 * by magic, as depmod does) passed compressed with MODULE_INIT_COMPRESSED_FILE when the kernel decompresses
 * that format itself, else decompressed here.
 */
record ModuleImage(byte[] bytes, int flags) {
    static ModuleImage of(byte[] file, Optional<String> kernelCompression) throws IOException {
        String format = format(file);
        if (format == null) {
            return new ModuleImage(file, 0);
        }
        if (kernelCompression.filter(format::equals).isPresent()) {
            return new ModuleImage(file, Syscalls.MODULE_INIT_COMPRESSED_FILE);
        }
        try (InputStream in = switch (format) {
            case "zstd" -> new ZstdInputStream(new ByteArrayInputStream(file));
            case "xz" -> new XZInputStream(new ByteArrayInputStream(file));
            default -> new GZIPInputStream(new ByteArrayInputStream(file));
        }) {
            return new ModuleImage(in.readAllBytes(), 0);
        }
    }

    /** The compression's name as /sys/module/compression spells it, null for none. */
    private static String format(byte[] b) {
        if (b.length >= 4 && (b[0] & 0xff) == 0x28 && (b[1] & 0xff) == 0xb5 && (b[2] & 0xff) == 0x2f
                && (b[3] & 0xff) == 0xfd) {
            return "zstd";
        }
        if (b.length >= 6 && (b[0] & 0xff) == 0xfd && b[1] == '7' && b[2] == 'z' && b[3] == 'X' && b[4] == 'Z'
                && b[5] == 0) {
            return "xz";
        }
        if (b.length >= 2 && (b[0] & 0xff) == 0x1f && (b[1] & 0xff) == 0x8b) {
            return "gzip";
        }
        return null;
    }
}
