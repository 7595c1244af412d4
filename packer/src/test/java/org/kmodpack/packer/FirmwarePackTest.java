package org.kmodpack.packer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.FileTime;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.kmodpack.reader.Bundle;
import org.kmodpack.reader.Entry;
import org.kmodpack.testkernels.SyntheticFirmware;
import org.kmodpack.testkernels.SyntheticKernel;
import org.kmodpack.testkernels.SyntheticKernels;

/**
 * --firmware: the files the modules' firmware= fields name, taken from a synthetic firmware directory (a symlink,
 * .xz and .zst variants, a glob, an updates/KVER copy), stored beside the module tree and read back byte for byte;
 * the same directory in a firmware package (.deb) makes the same bundle.
 */
class FirmwarePackTest {
    /** What FIRMWARE's modules ask for and the synthetic directory serves. */
    private static final List<String> WANTED = List.of("acme", "acme-usb.fw", "acme/gpu", "acme/gpu/a.bin",
            "acme/gpu/b.bin.zst", "acme/nic.fw.xz", "acme/nic.fw.zst", "acme/usb", "acme/usb/v2.fw",
            "acme/wifi-1.bin", "acme/wifi-board.txt");

    @TempDir
    Path work;

    @Test
    void theFilesModulesNameAreStoredAsTheSourceHasThem() throws IOException {
        Path firmware = SyntheticFirmware.write(work.resolve("firmware"));
        Path bundle = work.resolve("with.kpack");
        PackResult result = pack(bundle, new FirmwareSelection(List.of(firmware), List.of(), false));

        PackResult.Firmware summary = result.firmware().orElseThrow();
        assertEquals(8, summary.files());
        assertEquals(6, summary.names());
        assertEquals(Map.of("acme/absent.bin", new TreeSet<>(List.of("acme_absent"))), summary.missing());
        try (Bundle opened = Bundle.open(bundle)) {
            assertEquals("1.2", opened.info().formatVersion());
            List<Entry> entries = opened.firmwareEntries();
            assertEquals(WANTED, entries.stream().skip(1).map(Entry::path).sorted().toList());
            assertEquals(opened.entries().size(), entries.get(0).index(), "numbered after the module tree");
            long bytes = 0;
            for (Entry entry : entries) {
                Path source = entry.path().equals("acme/wifi-1.bin")
                        ? firmware.resolve("updates/" + SyntheticKernel.FIRMWARE.kernelVersion()).resolve(entry.path())
                        : firmware.resolve(entry.path());
                if (entry.isFile()) {
                    assertArrayEquals(Files.readAllBytes(source), opened.readAllBytes(entry), entry.path());
                    bytes += entry.size();
                } else if (entry.isSymlink()) {
                    assertEquals(Files.readSymbolicLink(source).toString(), entry.symlinkTarget());
                }
            }
            assertEquals(SyntheticFirmware.UPDATED_WIFI, new String(
                    opened.readAllBytes(opened.findFirmware("acme/wifi-1.bin").orElseThrow()), StandardCharsets.UTF_8),
                    "updates/KVER wins over the plain copy, as in the kernel's search");
            assertEquals(bytes, summary.bytes());
            assertEquals(summary.files(), opened.info().firmwareFiles());
            assertEquals(bytes, opened.info().firmwareBytes());
            opened.verifyBlocks();
        }
    }

    @Test
    void firmwareAllTakesEveryFileAndExtraNamesAddToWhatModulesName() throws IOException {
        Path firmware = SyntheticFirmware.write(work.resolve("firmware"));
        Path all = work.resolve("all.kpack");
        pack(all, new FirmwareSelection(List.of(firmware), List.of(), true));
        try (Bundle opened = Bundle.open(all)) {
            assertTrue(opened.findFirmware("acme/wifi-unused.bin").isPresent());
            assertTrue(opened.findFirmware("acme/gpu/readme.txt").isPresent());
            assertFalse(opened.findFirmware("updates").isPresent(), "searched as the loader does, not copied");
        }
        Path extra = work.resolve("extra.kpack");
        PackResult result = pack(extra, new FirmwareSelection(List.of(firmware),
                List.of("acme/wifi-unused.bin", "acme/undeclared.bin"), false));
        assertEquals(Map.of("acme/absent.bin", new TreeSet<>(List.of("acme_absent")),
                "acme/undeclared.bin", new TreeSet<>(List.of("--firmware-extra"))), result.firmware().orElseThrow()
                .missing());
        try (Bundle opened = Bundle.open(extra)) {
            assertTrue(opened.findFirmware("acme/wifi-unused.bin").isPresent());
            assertEquals(WANTED.size() + 2, opened.firmwareEntries().size(), "the root and the extra file more");
        }
    }

    @Test
    void withoutFirmwareTheBundleIsWhatItWasAndTheModuleTreeIsTheSameWithIt() throws IOException {
        Path firmware = SyntheticFirmware.write(work.resolve("firmware"));
        Path without = work.resolve("without.kpack");
        PackResult plain = pack(without, FirmwareSelection.NONE);
        Path with = work.resolve("with.kpack");
        pack(with, new FirmwareSelection(List.of(firmware), List.of(), false));
        assertTrue(plain.firmware().isEmpty());
        try (Bundle a = Bundle.open(without); Bundle b = Bundle.open(with)) {
            assertEquals("1.0", a.info().formatVersion());
            assertFalse(a.hasFirmware());
            assertTrue(a.firmwareRoot().isEmpty());
            assertEquals(List.of(), a.firmwareEntries());
            assertEquals(a.entries(), b.entries());
            for (Entry entry : a.entries()) {
                if (entry.isFile()) {
                    assertArrayEquals(a.readAllBytes(entry), b.readAllBytes(entry), entry.path());
                }
            }
            assertEquals(a.modules().orElseThrow().moduleCount(), b.modules().orElseThrow().moduleCount());
        }
    }

    @Test
    void aFirmwarePackageMakesTheBundleItsDirectoryMakes() throws IOException {
        Path root = work.resolve("package");
        Path firmware = SyntheticFirmware.write(root.resolve("usr/lib/firmware"));
        // A tar keeps whole seconds: so must the directory, for the two bundles to be the same.
        try (Stream<Path> paths = Files.walk(firmware)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                FileTime whole = FileTime.from(Files.getLastModifiedTime(path, LinkOption.NOFOLLOW_LINKS)
                        .to(TimeUnit.SECONDS), TimeUnit.SECONDS);
                Files.getFileAttributeView(path, BasicFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
                        .setTimes(whole, null, null);
            }
        }
        Path deb = Files.write(work.resolve("firmware-acme_1_all.deb"), Archives.deb("data.tar.xz",
                Archives.compress(Archives.tarOf(root, "usr/lib/firmware", name -> false), Archives.Codec.XZ)));
        Path fromDirectory = work.resolve("directory.kpack");
        PackResult expected = pack(fromDirectory, new FirmwareSelection(List.of(firmware), List.of(), false));
        Path fromPackage = work.resolve("package.kpack");
        PackResult packed = pack(fromPackage, new FirmwareSelection(List.of(deb), List.of(), false));
        assertEquals(expected.firmware(), packed.firmware());
        assertEquals(-1, Files.mismatch(fromDirectory, fromPackage), "the same bundle, byte for byte");

        Path kernelPackage = Files.write(work.resolve("linux-image-acme_1_amd64.deb"), Archives.deb("data.tar.xz",
                Archives.compress(Archives.tar(List.of(Archives.Member.file("./lib/modules/6.1.0-acme/a.ko", "a"))),
                        Archives.Codec.XZ)));
        IOException notFirmware = assertThrows(IOException.class, () -> pack(work.resolve("k.kpack"),
                new FirmwareSelection(List.of(kernelPackage), List.of(), false)));
        assertEquals(kernelPackage + ": data.tar.xz: holds no lib/firmware or usr/lib/firmware directory; name a firmware package",
                notFirmware.getMessage());
    }

    @Test
    void refusalsNameWhatToDo() throws IOException {
        Path missing = work.resolve("no-such-firmware");
        IOException noDirectory = assertThrows(IOException.class,
                () -> pack(work.resolve("x.kpack"), new FirmwareSelection(List.of(missing), List.of(), false)));
        assertTrue(noDirectory.getMessage().startsWith(missing + ": no such directory"), noDirectory.getMessage());
        assertFalse(Files.exists(work.resolve("x.kpack")));

        Path tree = Files.createDirectories(work.resolve("6.1.0-bare/kernel"));
        Files.writeString(tree.resolve("a.ko"), "not even ELF");
        Path firmware = SyntheticFirmware.write(work.resolve("firmware"));
        IOException noIndex = assertThrows(IOException.class, () -> Packer.pack(tree.getParent(),
                work.resolve("bare.kpack"), PackOptions.defaults().withFirmware(new FirmwareSelection(List.of(firmware),
                        List.of(), false)), PackProgress.NONE));
        assertTrue(noIndex.getMessage().startsWith(tree.getParent() + ": has no module index")
                && noIndex.getMessage().contains("--firmware-all"), noIndex.getMessage());
        Packer.pack(tree.getParent(), work.resolve("bare.kpack"), PackOptions.defaults().withFirmware(
                new FirmwareSelection(List.of(firmware), List.of(), true)), PackProgress.NONE);

        assertThrows(IllegalArgumentException.class, () -> new FirmwareSelection(List.of(), List.of("a.bin"), false));
    }

    private static PackResult pack(Path bundle, FirmwareSelection firmware) throws IOException {
        return Packer.pack(SyntheticKernels.moduleDir(SyntheticKernel.FIRMWARE), bundle,
                PackOptions.defaults().withFirmware(firmware), PackProgress.NONE);
    }
}
