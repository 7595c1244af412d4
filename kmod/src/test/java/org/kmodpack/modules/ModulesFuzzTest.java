package org.kmodpack.modules;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.google.common.jimfs.Configuration;
import com.google.common.jimfs.Jimfs;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Coverage-guided fuzzing of what kmod's side reads (bench/fuzz runs each target under libFuzzer; every build
 * replays the committed inputs in ModulesFuzzTestInputs/): modprobe.d files, the kernel command line, a module
 * file as the module scan reads it (compression, ELF, .modinfo, the appended signature) and depmod's .bin files.
 * Configuration problems are reported as {@link KmodProblem}s and skipped, never thrown; a damaged module or
 * index file is an IOException naming it, nothing else.
 */
class ModulesFuzzTest {
    /** In memory (Jimfs): the parser reads through Files as for a real tree, without a disk write per input. */
    private static final Path DEPMOD_FILE = Jimfs.newFileSystem(Configuration.unix()).getPath("/modules.dep.bin");

    /** A modprobe.d file (read as modules.softdep is: the same parser). */
    @FuzzTest
    void modprobeConfig(byte[] file) {
        String text = new String(file, StandardCharsets.UTF_8);
        List<KmodProblem> problems = new ArrayList<>();
        ModprobeConfig config = ModprobeConfig.load(List.of(), "/lib/modules/fuzz", text, null, problems::add);
        config.aliases().forEach(alias -> assertTrue(alias != null));
        config.options().forEach(options -> assertTrue(options != null));
        config.installCommands().forEach(command -> assertTrue(command != null));
        problems.forEach(problem -> assertTrue(problem != null));
    }

    /** /proc/cmdline. */
    @FuzzTest
    void kernelCmdline(byte[] procCmdline) {
        String cmdline = new String(procCmdline, StandardCharsets.UTF_8);
        List<KmodProblem> problems = new ArrayList<>();
        ModprobeConfig config = ModprobeConfig.load(List.of(), "/lib/modules/fuzz", "", cmdline, problems::add);
        config.options().forEach(options -> assertTrue(options != null));
    }

    /** The end of a module: struct module_signature and the marker. */
    @FuzzTest
    void appendedSignature(byte[] module) {
        SignatureTrailer.find(module).ifPresent(found -> assertTrue(found.signatureStart() >= 0
                && found.signatureLength() >= 0
                && (long) found.signatureStart() + found.signatureLength() <= module.length, found.toString()));
    }

    /** A module file as stored: ELF, or .ko.xz, .ko.zst, .ko.gz by their magic. */
    @FuzzTest
    void moduleFile(byte[] raw) {
        try {
            ModuleFile.decompress("fuzz.ko", raw);
        } catch (IOException refused) {
            assertTrue(refused.getMessage().startsWith("fuzz.ko: "), refused.getMessage());
        }
    }

    /** A module file as the module scan reads it: decompressed, its .modinfo and its signature's fields. */
    @FuzzTest
    void moduleInfo(byte[] raw) {
        try {
            byte[] elf = ModuleFile.decompress("fuzz.ko", raw);
            byte[] modinfo = Elf.parse("fuzz.ko", elf).section(".modinfo");
            if (modinfo != null) {
                ModinfoStrings.parse(modinfo);
            }
            SignatureFields.fields(elf, true);
            SignatureFields.fields(elf, false);
        } catch (IOException refused) {
            assertTrue(refused.getMessage().startsWith("fuzz.ko: "), refused.getMessage());
        }
    }

    /** modules.dep.bin, modules.alias.bin, modules.symbols.bin: depmod's tries. */
    @FuzzTest
    void depmodIndex(byte[] contents) throws IOException {
        Files.write(DEPMOD_FILE, contents);
        try {
            DepmodBin.read(DEPMOD_FILE);
        } catch (IOException refused) {
            assertTrue(refused.getMessage().startsWith(DEPMOD_FILE + ": "), refused.getMessage());
        }
    }
}
