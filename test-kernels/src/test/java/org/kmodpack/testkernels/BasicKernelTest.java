package org.kmodpack.testkernels;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import java.util.zip.Deflater;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class BasicKernelTest {
    private static Path root;
    private static Path moduleDir;
    private static List<String> modulesDep;
    private static KmodTools kmod;

    @BeforeAll
    static void build() throws IOException {
        root = SyntheticKernels.root(SyntheticKernel.BASIC);
        moduleDir = SyntheticKernels.moduleDir(SyntheticKernel.BASIC);
        modulesDep = Files.readAllLines(moduleDir.resolve("modules.dep"), StandardCharsets.UTF_8);
        kmod = new KmodTools(root, SyntheticKernel.BASIC.kernelVersion());
    }

    @Test
    void moduleDirIsRootLibModulesKernelVersion() {
        assertEquals(root.resolve("lib/modules/6.1.0-kmodpack-basic"), moduleDir);
        assertTrue(moduleDir.endsWith(Path.of("test-kernels/target/synthetic/basic/lib/modules/6.1.0-kmodpack-basic")));
    }

    @Test
    void depmodWroteEveryIndex() {
        for (String output : Depmod.OUTPUTS) {
            assertTrue(Files.isRegularFile(moduleDir.resolve(output)), output);
        }
    }

    @Test
    void chainDependsOnEveryLaterLinkInOrder() {
        assertAll(
                () -> assertLine("kernel/lib/chain/chain_a.ko.xz: kernel/lib/chain/chain_b.ko.xz "
                        + "kernel/lib/chain/chain_c.ko.zst kernel/lib/chain/chain_d.ko"),
                () -> assertLine("kernel/lib/chain/chain_b.ko.xz: kernel/lib/chain/chain_c.ko.zst "
                        + "kernel/lib/chain/chain_d.ko"),
                () -> assertLine("kernel/lib/chain/chain_c.ko.zst: kernel/lib/chain/chain_d.ko"),
                () -> assertLine("kernel/lib/chain/chain_d.ko:"),
                () -> assertLine("kernel/drivers/misc/standalone.ko:"));
    }

    @Test
    void diamondListsBottomOnce() {
        assertAll(
                () -> assertLine("kernel/drivers/diamond/diamond_top.ko: kernel/drivers/diamond/diamond_right.ko.zst "
                        + "kernel/drivers/diamond/diamond_left.ko.xz kernel/drivers/diamond/diamond_bottom.ko"),
                () -> assertLine("kernel/drivers/diamond/diamond_left.ko.xz: kernel/drivers/diamond/diamond_bottom.ko"),
                () -> assertLine("kernel/drivers/diamond/diamond_right.ko.zst: kernel/drivers/diamond/diamond_bottom.ko"));
    }

    @Test
    void modprobeLoadsTheDiamondBottomFirstAndTopLast() throws IOException {
        List<String> lines = kmod.showDepends("diamond_top");
        String prefix = "insmod " + moduleDir + "/kernel/drivers/diamond/";
        assertEquals(List.of(prefix + "diamond_bottom.ko", prefix + "diamond_left.ko.xz",
                prefix + "diamond_right.ko.zst", prefix + "diamond_top.ko"), lines);
    }

    @Test
    void updatesCopyWinsOverKernelCopy() throws IOException {
        assertTrue(Files.isRegularFile(moduleDir.resolve("kernel/drivers/misc/dup_mod.ko")));
        assertLine("updates/dup_mod.ko:");
        assertFalse(modulesDep.stream().anyMatch(line -> line.startsWith("kernel/drivers/misc/dup_mod.ko")));
        assertEquals(List.of("updated copy, wins over kernel/"), kmod.modinfoField("dup_mod", "description"));
        assertTrue(modulesDep.contains("updates/dkms/vendor_drv.ko.xz: updates/dup_mod.ko kernel/lib/chain/chain_a.ko.xz "
                + "kernel/lib/chain/chain_b.ko.xz kernel/lib/chain/chain_c.ko.zst kernel/lib/chain/chain_d.ko"));
    }

    @Test
    void weakImportOfAnExportedSymbolIsADependency() {
        assertLine("kernel/drivers/misc/weak_user.ko: kernel/drivers/diamond/diamond_left.ko.xz "
                + "kernel/drivers/diamond/diamond_bottom.ko");
    }

    @Test
    void exportsWithAndWithoutModversionsAreIndexed() throws IOException {
        List<String> symbols = Files.readAllLines(moduleDir.resolve("modules.symbols"));
        assertTrue(symbols.contains("alias symbol:chain_a_run chain_a"), symbols::toString);
        assertTrue(symbols.contains("alias symbol:nocrc_provide nocrc_provider"), symbols::toString);
        assertLine("extra/nocrc_consumer.ko.xz: extra/nocrc_provider.ko");
    }

    @Test
    void modinfoReadsAliasesParametersAndModpostFields() throws IOException {
        assertEquals(List.of("pci:v00008086d000010D3sv*sd*bc*sc*i*", "pci:v00008086d000010D4sv*sd*bc*sc*i*"),
                kmod.modinfoField("e1000e", "alias"));
        assertEquals(List.of("e1000e/e1000e-test.bin"), kmod.modinfoField("e1000e", "firmware"));
        assertEquals(List.of("ptp_lite"), kmod.modinfoField("e1000e", "depends"));
        assertEquals(List.of("chain_a,dup_mod"), kmod.modinfoField("vendor_drv", "depends"));
        assertEquals(List.of("6.1.0-kmodpack-basic SMP preempt mod_unload modversions"),
                kmod.modinfoField("chain_d", "vermagic"));
        assertTrue(kmod.modinfoField("e1000e", "parm").contains("debug:Debug level (0=none,...,16=all) (int)"));
    }

    @Test
    void overlappingWildcardsAllMatchInModulesOrder() throws IOException {
        assertEquals(List.of("e1000e", "igb", "generic_eth"),
                kmod.resolveAlias("pci:v00008086d000010D3sv00001234sd00005678bc02sc00i00"));
        assertEquals(List.of("igb", "generic_eth"),
                kmod.resolveAlias("pci:v00008086d00001533sv00001234sd00005678bc02sc00i00"));
        assertEquals(List.of("usb_storage_lite", "uas_lite"),
                kmod.resolveAlias("usb:v1234p5678d0100dc00dsc00dp00ic08isc06ip62in00"));
        assertEquals(List.of("acpi_button_lite"), kmod.resolveAlias("acpi:PNP0C0D:"));
    }

    @Test
    void softdepsAndBuiltinsReachModprobe() throws IOException {
        List<String> softdeps = Files.readAllLines(moduleDir.resolve("modules.softdep"));
        assertTrue(softdeps.contains("softdep softdep_user pre: standalone post: chain_d"), softdeps::toString);
        assertEquals(List.of("builtin crc32c_generic", "insmod " + moduleDir.resolve("kernel/crypto/crc_user.ko.zst")),
                kmod.showDepends("crc_user"));
        assertEquals(List.of("ext4"), kmod.resolveAlias("fs-ext3"));
        assertEquals(List.of("crc32c_generic"), kmod.resolveAlias("crypto-crc32c"));
    }

    @Test
    void devnameComesFromDevnameAndMajorMinorAliases() throws IOException {
        assertEquals(List.of("# Device nodes to trigger on-demand module loading.", "fuse_lite fuse c10:229"),
                Files.readAllLines(moduleDir.resolve("modules.devname")));
    }

    @Test
    void compressedModulesCarryTheirFormatsMagic() throws IOException {
        try (Stream<Path> files = Files.walk(moduleDir)) {
            List<Path> modules = files.filter(path -> path.toString().matches(".*\\.ko(\\.xz|\\.zst)?")).toList();
            assertEquals(30, modules.size());
            for (Path module : modules) {
                String name = module.getFileName().toString();
                String magic = name.endsWith(".xz") ? FileMagic.XZ : name.endsWith(".zst") ? FileMagic.ZSTD : FileMagic.ELF;
                assertEquals(magic, FileMagic.head(module, magic.length() / 2), module::toString);
            }
        }
        // xz stream flags: check type 1 is CRC32, as the kernel's own decompressor requires.
        assertEquals(FileMagic.XZ + "0001", FileMagic.head(moduleDir.resolve("kernel/lib/chain/chain_a.ko.xz"), 8));
    }

    @Test
    void hostModulesAreLittleEndian64BitRelocatables() throws IOException {
        ElfHeader header = ElfHeader.read(moduleDir.resolve("kernel/lib/chain/chain_d.ko"));
        assertEquals(new ElfHeader(ElfHeader.CLASS_64, ElfHeader.LITTLE_ENDIAN, ElfHeader.RELOCATABLE, 62), header);
    }

    @Test
    void bigModuleSpansMegabytesAndCompressesPartly() throws IOException {
        byte[] big = Files.readAllBytes(moduleDir.resolve("kernel/drivers/gpu/big_blob.ko"));
        assertTrue(big.length > BasicTree.BIG_MODULE_BYTES, "size " + big.length);
        Deflater deflater = new Deflater();
        deflater.setInput(big);
        deflater.finish();
        byte[] sink = new byte[64 * 1024];
        while (!deflater.finished()) {
            deflater.deflate(sink);
        }
        double ratio = (double) deflater.getBytesWritten() / big.length;
        deflater.end();
        assertTrue(ratio > 0.3 && ratio < 0.9, "deflate ratio " + ratio);
    }

    @Test
    void oddFileNamesExist() {
        assertAll(
                () -> assertTrue(Files.isRegularFile(moduleDir.resolve("extra/with space.ko"))),
                () -> assertLine("extra/with space.ko: kernel/drivers/diamond/diamond_bottom.ko"),
                () -> assertTrue(Files.isRegularFile(moduleDir.resolve("extra/plus+hash#mod.ko.zst"))),
                () -> assertLine("extra/plus+hash#mod.ko.zst:"),
                () -> assertTrue(Files.isRegularFile(moduleDir.resolve("extra/\u00fcn\u00efc\u00f6d\u00e9-notes.txt"))),
                () -> assertTrue(Files.isRegularFile(moduleDir.resolve("extra/-dash-file"))),
                () -> assertLine("kernel/drivers/usb/storage/usb-storage-lite.ko.xz:"),
                () -> assertEquals(List.of("usb_storage_lite"), kmod.modinfoField("usb-storage-lite", "name")));
    }

    @Test
    void symlinksPointOutOfAndWithinTheTree() throws IOException {
        assertEquals(Path.of("/usr/src/linux-headers-6.1.0-kmodpack-basic"),
                Files.readSymbolicLink(moduleDir.resolve("build")));
        assertEquals(Path.of("/usr/src/linux-source-6.1.0-kmodpack-basic"),
                Files.readSymbolicLink(moduleDir.resolve("source")));
        Path firmwareLink = moduleDir.resolve("extra/firmware-link");
        assertEquals(Path.of("../modules.order"), Files.readSymbolicLink(firmwareLink));
        assertTrue(Files.isSameFile(moduleDir.resolve("modules.order"), firmwareLink));
    }

    @Test
    void hardLinkSharesAnInodeWhileEqualFilesDoNot() throws IOException {
        assertTrue(Files.isSameFile(moduleDir.resolve("extra/notes.txt"), moduleDir.resolve("extra/notes-hardlink.txt")));
        assertEquals(2, Files.getAttribute(moduleDir.resolve("extra/notes.txt"), "unix:nlink"));
        Path first = moduleDir.resolve("extra/same-1.txt");
        Path second = moduleDir.resolve("extra/same-2.txt");
        assertArrayEquals(Files.readAllBytes(first), Files.readAllBytes(second));
        assertFalse(Files.isSameFile(first, second));
    }

    @Test
    void emptyFilesAndDirectoriesSurvive() throws IOException {
        assertEquals(0, Files.size(moduleDir.resolve("extra/empty.bin")));
        try (Stream<Path> children = Files.list(moduleDir.resolve("kernel/drivers/empty-dir"))) {
            assertEquals(0, children.count());
        }
    }

    @Test
    void modesAreFixedRegardlessOfUmask() throws IOException {
        assertAll(
                () -> assertEquals("rw-------", mode("extra/private.conf")),
                () -> assertEquals("rwxr-xr-x", mode("extra/hook.sh")),
                () -> assertEquals("rw-r--r--", mode("kernel/lib/chain/chain_a.ko.xz")),
                () -> assertEquals("rw-r--r--", mode("modules.dep.bin")),
                () -> assertEquals("rwxr-xr-x", mode("kernel/drivers/net/ethernet/intel")));
    }

    @Test
    void everyEntryHasTheFixedMtime() throws IOException {
        // Symlink times are set through lutimes, which keeps microseconds only.
        FileTime symlinkTime = FileTime.from(TreeFinisher.MTIME.to(TimeUnit.MICROSECONDS), TimeUnit.MICROSECONDS);
        try (Stream<Path> entries = Files.walk(root)) {
            for (Path entry : entries.toList()) {
                BasicFileAttributes attributes =
                        Files.readAttributes(entry, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
                FileTime expected = attributes.isSymbolicLink() ? symlinkTime : TreeFinisher.MTIME;
                assertEquals(expected, attributes.lastModifiedTime(), entry::toString);
            }
        }
    }

    @Test
    void kernelSymbolsComeFromSystemMapOutsideTheModuleDir() throws IOException {
        Path systemMap = root.resolve("boot/System.map-6.1.0-kmodpack-basic");
        assertTrue(Files.readAllLines(systemMap).contains("ffffffff81000000 R __ksymtab_printk"));
        assertNotEquals(moduleDir, systemMap.getParent());
    }

    private static String mode(String path) throws IOException {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(moduleDir.resolve(path), LinkOption.NOFOLLOW_LINKS));
    }

    private static void assertLine(String line) {
        assertTrue(modulesDep.contains(line), () -> "modules.dep lacks \"" + line + "\":\n" + String.join("\n", modulesDep));
    }
}
