package org.kmodpack.fuse;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.kmodpack.format.BlockRecord;
import org.kmodpack.format.IndexRegion;
import org.kmodpack.packer.FirmwareSelection;
import org.kmodpack.packer.PackOptions;
import org.kmodpack.packer.PackProgress;
import org.kmodpack.packer.Packer;
import org.kmodpack.reader.Bundle;
import org.kmodpack.reader.Entry;
import org.kmodpack.testkernels.Bytes;
import org.kmodpack.testkernels.SyntheticFirmware;
import org.kmodpack.testkernels.SyntheticKernel;
import org.kmodpack.testkernels.SyntheticKernels;

/**
 * The firmware tree mounted beside the module directory (the synthetic firmware: a symlink, .xz and .zst variants,
 * a glob's files, an updates/KVER copy, and a firmware file of several blocks named as an extra): what the mount
 * shows is the bundle's firmware tree, typed apart from the module directory's mount; a damaged block that holds
 * firmware only fails the reads of that firmware (EIO) while every module file reads.
 */
class FirmwareMountTest {
    private static final int BLOCK = 4096;
    /** Several blocks, so that the ones in its middle hold nothing else. */
    private static final String LARGE = "acme/large.bin";

    @TempDir
    Path work;

    @Test
    void theFirmwareTreeIsServedAsTheBundleHoldsIt() throws Exception {
        FuseAvailability.require();
        Path bundlePath = pack();
        Path modules = Files.createDirectories(work.resolve("modules"));
        Path firmware = Files.createDirectories(work.resolve("firmware-mount"));
        List<String> log = new CopyOnWriteArrayList<>();
        try (Bundle bundle = Bundle.open(bundlePath);
                FuseMount moduleMount = FuseMount.start(bundle, modules, bundlePath.toString(),
                        FuseMount.Options.defaults(), log::add, 10_000);
                FuseMount firmwareMount = FuseMount.prepareFirmware(bundle, log::add).mount(firmware,
                        bundlePath.toString(), FuseMount.Options.defaults(), 10_000)) {
            assertEquals(MountTable.TYPE, MountTable.typeAt(modules).orElseThrow());
            assertEquals(MountTable.FIRMWARE_TYPE, MountTable.typeAt(firmware).orElseThrow());
            List<Entry> entries = bundle.firmwareEntries();
            try (Stream<Path> walk = Files.walk(firmware)) {
                assertEquals(entries.stream().map(Entry::path).sorted().toList(), walk.map(p -> firmware
                        .relativize(p).toString()).sorted().toList(), "the mount's paths are the firmware tree's");
            }
            for (Entry entry : entries) {
                Path mounted = firmware.resolve(entry.path());
                if (entry.isFile()) {
                    assertArrayEquals(bundle.readAllBytes(entry), Files.readAllBytes(mounted), entry.path());
                } else if (entry.isSymlink()) {
                    assertEquals(entry.symlinkTarget(), Files.readSymbolicLink(mounted).toString(), entry.path());
                } else {
                    assertTrue(Files.isDirectory(mounted, LinkOption.NOFOLLOW_LINKS), entry.path());
                }
            }
            assertEquals(SyntheticFirmware.UPDATED_WIFI, Files.readString(firmware.resolve("acme/wifi-1.bin")),
                    "updates/KVER's copy, the one the kernel's loader finds");
            assertEquals(Files.readString(firmware.resolve("acme/usb/v2.fw")),
                    Files.readString(firmware.resolve("acme-usb.fw")), "the symlink leads to its file");
            assertTrue(Files.exists(modules.resolve("modules.dep")) && !Files.exists(firmware.resolve("modules.dep")),
                    "each mount serves its own tree");
            assertEquals(List.of(), log);
        }
        assertTrue(MountTable.at(firmware).isEmpty());
    }

    @Test
    void aDamagedBlockOfFirmwareOnlyFailsThatFirmwareAndNoModule() throws Exception {
        FuseAvailability.require();
        Path bundlePath = pack();
        int damaged;
        try (Bundle bundle = Bundle.open(bundlePath)) {
            IndexRegion index = bundle.index();
            Entry large = bundle.findFirmware(LARGE).orElseThrow();
            damaged = bundle.blockOf(large, large.size() / 2);
            assertTrue(bundle.holdsFirmwareOnly(damaged), "block " + damaged + " holds firmware only");
            assertFalse(bundle.holdsFirmwareOnly(0), "block 0 holds module files");
            assertFalse(bundle.holdsFirmwareOnly(index.params().blockCount() - 1), "the last block holds modinfo");
            BlockRecord block = index.block(damaged);
            Bytes.flip(bundlePath, block.offset() + block.storedLength() / 2, 0x10);
        }
        Path modules = Files.createDirectories(work.resolve("modules"));
        Path firmware = Files.createDirectories(work.resolve("firmware-mount"));
        List<String> log = new CopyOnWriteArrayList<>();
        Path source = SyntheticKernels.moduleDir(SyntheticKernel.FIRMWARE);
        try (Bundle bundle = Bundle.open(bundlePath);
                FuseMount moduleMount = FuseMount.start(bundle, modules, bundlePath.toString(),
                        FuseMount.Options.defaults(), log::add, 10_000);
                FuseMount firmwareMount = FuseMount.prepareFirmware(bundle, log::add).mount(firmware,
                        bundlePath.toString(), FuseMount.Options.defaults(), 10_000)) {
            IOException refused = assertThrows(IOException.class,
                    () -> Files.readAllBytes(firmware.resolve(LARGE)));
            assertTrue(refused.getMessage().contains("Input/output error"), refused.toString());
            assertEquals(1, log.size(), log.toString());
            assertTrue(log.get(0).contains("block " + damaged), log.get(0));
            try (Stream<Path> walk = Files.walk(source)) {
                for (Path file : walk.filter(p -> Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)).toList()) {
                    String path = source.relativize(file).toString();
                    assertArrayEquals(Files.readAllBytes(file), Files.readAllBytes(modules.resolve(path)), path);
                }
            }
            assertEquals(SyntheticFirmware.UPDATED_WIFI, Files.readString(firmware.resolve("acme/wifi-1.bin")));
        }
    }

    /** FIRMWARE's tree with the synthetic firmware and {@value #LARGE} named as an extra, in blocks of 4 KiB. */
    private Path pack() throws IOException {
        Path directory = SyntheticFirmware.write(work.resolve("firmware"));
        byte[] large = new byte[5 * BLOCK];
        new Random(17).nextBytes(large);
        Files.write(directory.resolve(LARGE), large);
        Path bundle = work.resolve("firmware.kpack");
        Packer.pack(SyntheticKernels.moduleDir(SyntheticKernel.FIRMWARE), bundle, PackOptions.defaults()
                .withBlockSize(BLOCK).withFirmware(new FirmwareSelection(List.of(directory), List.of(LARGE), false)),
                PackProgress.NONE);
        return bundle;
    }
}
