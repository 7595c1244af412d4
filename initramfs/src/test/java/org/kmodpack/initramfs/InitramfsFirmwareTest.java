package org.kmodpack.initramfs;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.commons.compress.archivers.cpio.CpioArchiveEntry;
import org.apache.commons.compress.archivers.cpio.CpioArchiveInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.kmodpack.modules.ModuleIndex;
import org.kmodpack.packer.FirmwareSelection;
import org.kmodpack.packer.PackOptions;
import org.kmodpack.packer.PackProgress;
import org.kmodpack.packer.Packer;
import org.kmodpack.reader.Bundle;
import org.kmodpack.reader.Progress;
import org.kmodpack.testkernels.SyntheticFirmware;
import org.kmodpack.testkernels.SyntheticKernel;
import org.kmodpack.testkernels.SyntheticKernels;

/** An initramfs holds, at lib/firmware, the firmware its modules ask for, and no other. */
class InitramfsFirmwareTest {
    @TempDir
    Path work;

    @Test
    void theFirmwareOfTheExportedModulesGoesToLibFirmware() throws IOException {
        Path firmware = SyntheticFirmware.write(work.resolve("firmware"));
        try (Bundle bundle = Bundle.open(packedWith(firmware))) {
            ModuleIndex index = ModuleIndex.of(bundle);
            String dir = index.moduleDirectory("");
            Initramfs initramfs = new Initramfs(bundle, index,
                    index.modprobe(index.loadConfig(null, dir, problem -> { }), dir, problem -> { }));
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            initramfs.write(initramfs.closure(List.of("acme_usb")), out, Progress.NONE);
            Map<String, String> firmwareMembers = new TreeMap<>();
            try (CpioArchiveInputStream cpio = new CpioArchiveInputStream(
                    new ByteArrayInputStream(out.toByteArray()))) {
                for (CpioArchiveEntry e = cpio.getNextCPIOEntry(); e != null; e = cpio.getNextCPIOEntry()) {
                    if (e.getName().startsWith("lib/firmware/") && !e.isDirectory()) {
                        firmwareMembers.put(e.getName(), (e.isSymbolicLink() ? "-> " : "")
                                + new String(cpio.readAllBytes(), StandardCharsets.UTF_8));
                    }
                }
            }
            assertEquals(Map.of(
                    "lib/firmware/acme-usb.fw", "-> acme/usb/v2.fw",
                    "lib/firmware/acme/usb/v2.fw", Files.readString(firmware.resolve("acme/usb/v2.fw")),
                    "lib/firmware/acme/wifi-1.bin", SyntheticFirmware.UPDATED_WIFI), firmwareMembers);
        }
    }

    /** FIRMWARE's modules packed with every file of {@code firmware}. */
    private Path packedWith(Path firmware) throws IOException {
        Path bundle = work.resolve("firmware.kpack");
        Packer.pack(SyntheticKernels.moduleDir(SyntheticKernel.FIRMWARE), bundle, PackOptions.defaults()
                .withFirmware(new FirmwareSelection(List.of(firmware), List.of(), true)), PackProgress.NONE);
        return bundle;
    }
}
