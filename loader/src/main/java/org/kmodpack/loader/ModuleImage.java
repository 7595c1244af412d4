package org.kmodpack.loader;

import java.io.IOException;
import java.util.Optional;
import org.kmodpack.modules.ModuleFile;
import org.kmodpack.modules.ModuleFile.Compression;

/**
 * A module file's bytes as the kernel takes them: uncompressed modules as they are; compressed ones passed
 * compressed with {@link Kernel#MODULE_INIT_COMPRESSED_FILE} when the kernel decompresses that format itself,
 * else decompressed here.
 */
record ModuleImage(byte[] bytes, int flags) {
    static ModuleImage of(String name, byte[] file, Optional<String> kernelCompression) throws IOException {
        Optional<Compression> compression = ModuleFile.compression(file);
        if (compression.isEmpty()) {
            return new ModuleImage(file, 0);
        }
        if (kernelCompression.filter(compression.get().kernelName()::equals).isPresent()) {
            return new ModuleImage(file, Kernel.MODULE_INIT_COMPRESSED_FILE);
        }
        return new ModuleImage(ModuleFile.decompress(name, file), 0);
    }
}
