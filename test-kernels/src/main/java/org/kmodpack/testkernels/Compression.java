package org.kmodpack.testkernels;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** How a module file is stored, with the command line a distribution would use to produce it. */
enum Compression {
    NONE(".ko", "", "", List.of()),
    /** As the kernel's Makefile.modinst does: CRC32 check and a 1 MiB dictionary, which the in-kernel decompressor needs. */
    XZ(".ko.xz", "xz", "xz-utils", List.of("--check=crc32", "--lzma2=dict=1MiB", "-T1", "-q")),
    /** Single-threaded so the frame layout, and thus the bytes, do not depend on the core count. */
    ZSTD(".ko.zst", "zstd", "zstd", List.of("-19", "-T1", "-q", "--rm")),
    /** -n keeps the name and mtime out of the header, for reproducible output. */
    GZIP(".ko.gz", "gzip", "gzip", List.of("-9", "-n"));

    private final String extension;
    private final String program;
    private final String debianPackage;
    private final List<String> options;

    Compression(String extension, String program, String debianPackage, List<String> options) {
        this.extension = extension;
        this.program = program;
        this.debianPackage = debianPackage;
        this.options = options;
    }

    String extension() {
        return extension;
    }

    String debianPackage() {
        return debianPackage;
    }

    /** Replaces {@code ko} (an uncompressed X.ko) by X.ko.EXT, as the compressor names it. */
    void compress(Path ko) throws IOException {
        if (this == NONE) {
            return;
        }
        List<String> command = new ArrayList<>();
        command.add(Commands.require(program, debianPackage).toString());
        command.addAll(options);
        command.add(ko.getFileName().toString());
        Commands.check(ko.getParent(), command);
    }
}
