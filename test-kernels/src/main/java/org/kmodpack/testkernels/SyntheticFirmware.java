package org.kmodpack.testkernels;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A firmware directory for {@link SyntheticKernel#FIRMWARE}'s modules, laid out as /lib/firmware: what Debian's
 * firmware packages lack is here, a symlink, .xz and .zst variants (compressed by xz and zstd, as the kernel's
 * loader reads them), files a glob matches, and an updates/KVER copy that wins over the plain one. Files no module
 * asks for sit beside them, for --firmware-all.
 */
public final class SyntheticFirmware {
    /** The plain copy of acme/wifi-1.bin, which updates/KVER's replaces. */
    public static final String SHADOWED_WIFI = "wifi firmware, shadowed by updates/KVER\n";
    /** The copy of acme/wifi-1.bin in updates/KVER, the one the kernel's loader finds first. */
    public static final String UPDATED_WIFI = "wifi firmware, updated\n";

    private SyntheticFirmware() {
    }

    /** Writes the directory into {@code directory} (created if absent) and returns it. */
    public static Path write(Path directory) throws IOException {
        String kernelVersion = SyntheticKernel.FIRMWARE.kernelVersion();
        file(directory, "acme/wifi-1.bin", SHADOWED_WIFI);
        file(directory, "updates/" + kernelVersion + "/acme/wifi-1.bin", UPDATED_WIFI);
        file(directory, "acme/wifi-board.txt", "board=acme\n");
        file(directory, "acme/wifi-unused.bin", "no module asks for this\n");
        Compression.XZ.compress(file(directory, "acme/nic.fw", "nic firmware\n".repeat(100)));
        Compression.ZSTD.compress(file(directory, "acme/nic.fw", "nic firmware\n".repeat(100)));
        file(directory, "acme/gpu/a.bin", "gpu microcode a\n");
        Compression.ZSTD.compress(file(directory, "acme/gpu/b.bin", "gpu microcode b\n".repeat(50)));
        file(directory, "acme/gpu/readme.txt", "not a .bin: the glob leaves it\n");
        file(directory, "acme/usb/v2.fw", "usb firmware v2\n");
        Files.createSymbolicLink(directory.resolve("acme-usb.fw"), Path.of("acme/usb/v2.fw"));
        return directory;
    }

    private static Path file(Path directory, String path, String content) throws IOException {
        Path file = directory.resolve(path);
        Files.createDirectories(file.getParent());
        return Files.writeString(file, content, StandardCharsets.UTF_8);
    }
}
