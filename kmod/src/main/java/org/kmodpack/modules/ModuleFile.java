package org.kmodpack.modules;

import com.github.luben.zstd.ZstdInputStream;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Optional;
import java.util.zip.GZIPInputStream;
import org.tukaani.xz.XZInputStream;

/**
 * A module file's ELF bytes: compressed modules (.ko.xz, .ko.zst, .ko.gz) are recognised by their magic, as
 * kmod and depmod do. The packer reads .modinfo and signatures through this, and signature checks read the
 * signed bytes through it, so both see the same module.
 */
public final class ModuleFile {
    /** The compressions module files come in, named as the kernel's /sys/module/compression names them. */
    public enum Compression {
        ZSTD("zstd", 0x28, 0xB5, 0x2F, 0xFD),
        XZ("xz", 0xFD, '7', 'z', 'X', 'Z', 0x00),
        GZIP("gzip", 0x1F, 0x8B);

        private final String kernelName;
        private final int[] magic;

        Compression(String kernelName, int... magic) {
            this.kernelName = kernelName;
            this.magic = magic;
        }

        public String kernelName() {
            return kernelName;
        }
    }

    /** Refuse to inflate past this: no real module comes near it, and it bounds what hostile input can cost. */
    public static final long MAX_MODULE_BYTES = 1L << 30;
    /** The kernel's own modules use a 1 MiB xz dictionary; this refuses only streams no module tool writes. */
    private static final int XZ_MEMORY_LIMIT_KIB = 160 * 1024;

    private ModuleFile() {
    }

    /** The compression of a module file, recognised by its magic (as kmod and depmod do, whatever its name). */
    public static Optional<Compression> compression(byte[] raw) {
        for (Compression compression : Compression.values()) {
            if (startsWith(raw, compression.magic)) {
                return Optional.of(compression);
            }
        }
        return Optional.empty();
    }

    /** The ELF bytes of a module file's {@code raw} bytes: {@code raw} itself when it is not compressed. */
    public static byte[] decompress(String file, byte[] raw) throws IOException {
        Optional<Compression> compression = compression(raw);
        if (compression.isEmpty()) {
            return raw;
        }
        try (InputStream stream = open(compression.get(), raw)) {
            byte[] out = stream.readNBytes((int) Math.min(MAX_MODULE_BYTES + 1, Integer.MAX_VALUE - 8));
            if (out.length > MAX_MODULE_BYTES) {
                throw new IOException("it decompresses to more than " + MAX_MODULE_BYTES + " bytes");
            }
            return out;
        } catch (IOException | RuntimeException e) {
            throw new IOException(file + ": cannot decompress the module (" + e.getMessage()
                    + "); the file is damaged", e);
        }
    }

    /** Whether (decompressed) module bytes start with ELF's magic: without it kmod and the kernel say ENOEXEC. */
    public static boolean isElf(byte[] module) {
        return startsWith(module, 0x7F, 'E', 'L', 'F');
    }

    /** Each decoder reads concatenated streams (frames, members) to the end, as the command-line tools do. */
    private static InputStream open(Compression compression, byte[] raw) throws IOException {
        InputStream in = new ByteArrayInputStream(raw);
        return switch (compression) {
            case ZSTD -> new ZstdInputStream(in);
            case XZ -> new XZInputStream(in, XZ_MEMORY_LIMIT_KIB);
            case GZIP -> new GZIPInputStream(in);
        };
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
