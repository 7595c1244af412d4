package org.kmodpack.modules;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Coverage-guided fuzzing of what kmod's side reads (see FormatFuzzTest for how it runs): modprobe.d files,
 * the kernel command line, a module's appended signature and its compression. Configuration problems are
 * reported with kmod's words and skipped, never thrown; a damaged module file is an IOException naming it.
 */
class ModulesFuzzTest {
    /** A modprobe.d file (read as modules.softdep is: the same parser). */
    @FuzzTest
    void modprobeConfig(byte[] file) {
        String text = new String(file, StandardCharsets.UTF_8);
        List<String> errors = new ArrayList<>();
        ModprobeConfig config = ModprobeConfig.load(List.of(), "/lib/modules/fuzz", text, null, errors::add);
        config.aliases().forEach(alias -> assertTrue(alias != null));
        config.options().forEach(options -> assertTrue(options != null));
        config.installCommands().forEach(command -> assertTrue(command != null));
        errors.forEach(error -> assertTrue(!error.isEmpty()));
    }

    /** /proc/cmdline. */
    @FuzzTest
    void kernelCmdline(byte[] procCmdline) {
        String cmdline = new String(procCmdline, StandardCharsets.UTF_8);
        List<String> errors = new ArrayList<>();
        ModprobeConfig config = ModprobeConfig.load(List.of(), "/lib/modules/fuzz", "", cmdline, errors::add);
        config.options().forEach(options -> assertTrue(options != null));
    }

    /** The end of a module: struct module_signature and the marker. */
    @FuzzTest
    void appendedSignature(byte[] module) {
        AppendedSignature.find(module).ifPresent(found -> assertTrue(found.signatureStart() >= 0
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
}
