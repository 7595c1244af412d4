package org.kmodpack.modules;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.kmodpack.testkernels.MinimalElf;
import org.kmodpack.testkernels.SyntheticKernel;
import org.kmodpack.testkernels.SyntheticKernels;

/** The ELF reader on real modules of every class and byte order, and on hostile input: clear errors, no OOM. */
class ElfTest {
    private static final byte[] MODINFO = "\0\0license=GPL\0name=tiny\0".getBytes(StandardCharsets.US_ASCII);

    @ParameterizedTest
    @EnumSource(value = SyntheticKernel.class, names = {"BASIC", "GZIP", "S390X", "POWERPC", "I686"})
    void readsModinfoOfEveryModuleOfEveryArchitecture(SyntheticKernel kernel) throws IOException {
        Path moduleDir = SyntheticKernels.moduleDir(kernel);
        List<Path> modules;
        try (Stream<Path> files = Files.walk(moduleDir)) {
            modules = files.filter(p -> p.getFileName().toString().matches(".*\\.ko(\\.xz|\\.zst|\\.gz)?"))
                    .toList();
        }
        assertTrue(modules.size() > 3, "modules in " + moduleDir);
        for (Path module : modules) {
            byte[] elf = ModuleFile.decompress(module.toString(), Files.readAllBytes(module));
            byte[] modinfo = Elf.parse(module.toString(), elf).section(".modinfo");
            assertNotNull(modinfo, module.toString());
            assertTrue(ModinfoStrings.parse(modinfo).stream().anyMatch(i -> i.key().equals("vermagic")), module.toString());
        }
    }

    @Test
    void minimalObjectsOfBothClassesAndByteOrders() throws IOException {
        for (boolean is64 : new boolean[] {false, true}) {
            for (ByteOrder order : new ByteOrder[] {ByteOrder.LITTLE_ENDIAN, ByteOrder.BIG_ENDIAN}) {
                Elf elf = Elf.parse("tiny.ko", elf(is64, order));
                assertArrayEquals(MODINFO, elf.section(".modinfo"), is64 + " " + order);
                assertNull(elf.section(".modinf"));
                assertNull(elf.section(".modinfo2"));
                assertEquals(List.of("license", "name"),
                        ModinfoStrings.parse(elf.section(".modinfo")).stream().map(i -> i.key()).toList());
            }
        }
    }

    @Test
    void hostileInputGivesErrorsThatNameTheFile() {
        byte[] good = elf(true, ByteOrder.LITTLE_ENDIAN);
        assertRefused(new byte[0], "not an ELF file");
        assertRefused("MZ\0\0\0\0\0\0\0\0\0\0\0\0\0\0".getBytes(StandardCharsets.US_ASCII), "not an ELF file");
        assertRefused(java.util.Arrays.copyOf(good, 16), "truncated ELF header");
        assertRefused(java.util.Arrays.copyOf(good, 40), "truncated ELF header");
        assertRefused(patch(good, b -> b.put(4, (byte) 3)), "unknown ELF class");
        assertRefused(patch(good, b -> b.put(5, (byte) 0)), "byte order");
        assertRefused(patch(good, b -> b.putLong(0x28, Long.MAX_VALUE)), "does not fit");
        assertRefused(patch(good, b -> b.putLong(0x28, -64)), "does not fit");
        assertRefused(patch(good, b -> b.putShort(0x3C, (short) 0xFFFF)), "does not fit");
        assertRefused(patch(good, b -> b.putShort(0x3A, (short) 0x7FFF)), "section header size");
        assertRefused(patch(good, b -> b.putShort(0x3E, (short) 9)), "name table index");
        int shoff = (int) ByteBuffer.wrap(good).order(ByteOrder.LITTLE_ENDIAN).getLong(0x28);
        // section 2 (.shstrtab) offset and size beyond the file
        assertRefused(patch(good, b -> b.putLong(shoff + 2 * 64 + 0x18, 1L << 40)), "lies outside");
        assertRefused(patch(good, b -> b.putLong(shoff + 2 * 64 + 0x20, Long.MAX_VALUE)), "lies outside");
        // section 1 (.modinfo) out of range is found when it is asked for
        byte[] badModinfo = patch(good, b -> b.putLong(shoff + 64 + 0x20, 1L << 33));
        IOException e = assertThrows(IOException.class, () -> Elf.parse("evil.ko", badModinfo).section(".modinfo"));
        assertTrue(e.getMessage().startsWith("evil.ko: section 1"), e.getMessage());
        // a section name offset past the name table matches nothing
        byte[] badName = patch(good, b -> b.putInt(shoff + 64, 1 << 30));
        assertNull(assertDoesNotThrow(() -> Elf.parse("odd.ko", badName).section(".modinfo")));
    }

    @Test
    void damagedCompressedModuleIsAnError() {
        byte[] xz = {(byte) 0xFD, '7', 'z', 'X', 'Z', 0, 1, 2, 3, 4, 5};
        IOException e = assertThrows(IOException.class, () -> ModuleFile.decompress("broken.ko.xz", xz));
        assertTrue(e.getMessage().startsWith("broken.ko.xz: cannot decompress"), e.getMessage());
        byte[] zst = {0x28, (byte) 0xB5, 0x2F, (byte) 0xFD, 9, 9, 9};
        assertThrows(IOException.class, () -> ModuleFile.decompress("broken.ko.zst", zst));
    }

    private static <T> T assertDoesNotThrow(org.junit.jupiter.api.function.ThrowingSupplier<T> supplier) {
        return org.junit.jupiter.api.Assertions.assertDoesNotThrow(supplier);
    }

    private static void assertRefused(byte[] bytes, String reason) {
        IOException e = assertThrows(IOException.class, () -> Elf.parse("evil.ko", bytes).section(".modinfo"));
        assertTrue(e.getMessage().startsWith("evil.ko: ") && e.getMessage().contains(reason), e.getMessage());
    }

    private interface Patch {
        void apply(ByteBuffer buffer);
    }

    private static byte[] patch(byte[] original, Patch patch) {
        byte[] copy = original.clone();
        patch.apply(ByteBuffer.wrap(copy).order(ByteOrder.LITTLE_ENDIAN));
        return copy;
    }

    static byte[] elf(boolean is64, ByteOrder order) {
        return MinimalElf.relocatable(is64, order, MODINFO);
    }
}
