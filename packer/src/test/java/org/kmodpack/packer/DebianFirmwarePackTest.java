package org.kmodpack.packer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.kmodpack.reader.Bundle;
import org.kmodpack.reader.Entry;
import org.kmodpack.testkernels.DebianFirmware;
import org.kmodpack.testkernels.DebianKernels;
import org.kmodpack.testkernels.Kmod;

/**
 * Debian's generic amd64 tree with Debian's firmware-linux-free as the source: the bundle holds exactly the files
 * that kmod's {@code modinfo -F firmware} over every module names and the package holds, and the missing names
 * are exactly those it does not hold. The package file itself, given as the source, makes the same bundle as its
 * unpacked directory.
 */
class DebianFirmwarePackTest {
    @TempDir
    Path work;

    @Test
    void theBundleHoldsWhatModinfoNamesAndThePackageHolds() throws IOException {
        Path moduleDir = DebianKernels.moduleDir("amd64");
        Path firmware = DebianFirmware.directory();
        List<String> command = new ArrayList<>(List.of("modinfo", "-F", "firmware"));
        for (String line : Files.readAllLines(moduleDir.resolve("modules.dep"))) {
            command.add(moduleDir.resolve(line.substring(0, line.indexOf(':'))).toString());
        }
        Kmod.Result modinfo = Kmod.run(command);
        assertEquals(0, modinfo.exit(), modinfo.err());
        Set<String> named = new TreeSet<>(modinfo.out().lines().filter(line -> !line.isEmpty()).toList());
        Set<String> held = new TreeSet<>();
        try (Stream<Path> files = Files.walk(firmware)) {
            files.filter(Files::isRegularFile).forEach(file -> held.add(firmware.relativize(file).toString()));
        }
        Set<String> expected = new TreeSet<>(named);
        expected.retainAll(held);
        Set<String> missing = new TreeSet<>(named);
        missing.removeAll(held);

        Path bundle = work.resolve("amd64-firmware.kpack");
        PackResult result = Packer.pack(moduleDir, bundle, PackOptions.defaults().withFirmware(
                new FirmwareSelection(List.of(firmware), List.of(), false)), PackProgress.NONE);
        assertEquals(missing, result.firmware().orElseThrow().missing().keySet());
        assertEquals(named.size(), result.firmware().orElseThrow().names());
        try (Bundle opened = Bundle.open(bundle)) {
            Set<String> stored = new TreeSet<>();
            for (Entry entry : opened.firmwareEntries()) {
                if (!entry.isDirectory()) {
                    stored.add(entry.path());
                }
            }
            assertEquals(expected, stored);
            opened.verifyBlocks();
        }
        Path fromPackage = work.resolve("amd64-firmware-deb.kpack");
        Packer.pack(moduleDir, fromPackage, PackOptions.defaults().withFirmware(new FirmwareSelection(
                List.of(DebianFirmware.packageFile()), List.of(), false)), PackProgress.NONE);
        assertEquals(-1, Files.mismatch(bundle, fromPackage), "the .deb makes the bundle its unpacked tree makes");
        assertTrue(expected.containsAll(List.of("carl9170-1.fw", "usbdux_firmware.bin", "usbduxfast_firmware.bin",
                "usbduxsigma_firmware.bin", "cis/PCMLM28.cis", "cis/LA-PCM.cis")), expected.toString());
    }
}
