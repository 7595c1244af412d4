package org.kmodpack.testkernels;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;

/** First bytes of a file as hex, for checking compression formats. */
final class FileMagic {
    static final String XZ = "fd377a585a00";
    static final String ZSTD = "28b52ffd";
    static final String GZIP = "1f8b";
    static final String ELF = "7f454c46";

    private FileMagic() {
    }

    static String head(Path file, int length) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return HexFormat.of().formatHex(in.readNBytes(length));
        }
    }
}
