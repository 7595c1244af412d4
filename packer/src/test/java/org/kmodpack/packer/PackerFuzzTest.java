package org.kmodpack.packer;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.google.common.jimfs.Configuration;
import com.google.common.jimfs.Jimfs;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.kmodpack.modules.ModuleFile;

/**
 * Coverage-guided fuzzing of what pack reads from a module tree (bench/fuzz runs each target under libFuzzer;
 * every build replays the committed inputs in PackerFuzzTestInputs/): a module's ELF, .modinfo and appended
 * signature, as ModuleScanner reads them, and depmod's .bin files. Damage is an IOException naming the file,
 * nothing else.
 */
class PackerFuzzTest {
    /** In memory (Jimfs): the parser reads through Files as for a real tree, without a disk write per input. */
    private static final Path DEPMOD_FILE = Jimfs.newFileSystem(Configuration.unix()).getPath("/modules.dep.bin");

    /** A module file as ModuleScanner reads it: decompressed, its .modinfo and its signature's fields. */
    @FuzzTest
    void moduleInfo(byte[] raw) {
        try {
            byte[] elf = ModuleFile.decompress("fuzz.ko", raw);
            byte[] modinfo = Elf.parse("fuzz.ko", elf).section(".modinfo");
            if (modinfo != null) {
                Modinfo.parse(modinfo);
            }
            ModuleSignature.fields(elf, true);
            ModuleSignature.fields(elf, false);
        } catch (IOException refused) {
            assertTrue(refused.getMessage().startsWith("fuzz.ko: "), refused.getMessage());
        }
    }

    /** modules.dep.bin, modules.alias.bin, modules.symbols.bin: depmod's tries. */
    @FuzzTest
    void depmodIndex(byte[] contents) throws IOException {
        Files.write(DEPMOD_FILE, contents);
        try {
            DepmodIndex.read(DEPMOD_FILE);
        } catch (IOException refused) {
            assertTrue(refused.getMessage().startsWith(DEPMOD_FILE + ": "), refused.getMessage());
        }
    }
}
