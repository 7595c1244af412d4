package org.kmodpack.testkernels;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class CrossKernelsTest {

    @ParameterizedTest
    @CsvSource({
        // kernel, ELF class, byte order, e_machine
        "S390X,   2, 2, 22",
        "POWERPC, 1, 2, 20",
        "I686,    1, 1, 3",
    })
    void modulesHaveTheTargetsElfIdentity(SyntheticKernel kernel, int elfClass, int data, int machine)
            throws IOException {
        Path moduleDir = SyntheticKernels.moduleDir(kernel);
        assertEquals(new ElfHeader(elfClass, data, ElfHeader.RELOCATABLE, machine),
                ElfHeader.read(moduleDir.resolve("kernel/lib/xchain_b.ko")));
    }

    @ParameterizedTest
    @CsvSource({"S390X", "POWERPC", "I686"})
    void depmodAndModprobeUnderstandForeignModules(SyntheticKernel kernel) throws IOException {
        Path moduleDir = SyntheticKernels.moduleDir(kernel);
        assertEquals(List.of(
                "kernel/lib/xchain_a.ko.xz: kernel/lib/xchain_b.ko kernel/lib/xchain_c.ko.zst",
                "kernel/lib/xchain_b.ko: kernel/lib/xchain_c.ko.zst",
                "kernel/lib/xchain_c.ko.zst:",
                "kernel/drivers/misc/xsoft.ko:"), Files.readAllLines(moduleDir.resolve("modules.dep")));
        KmodTools kmod = new KmodTools(SyntheticKernels.root(kernel), kernel.kernelVersion());
        assertEquals(List.of("platform:xchain-c", "of:N*T*Ckmodpack,xchain*"), kmod.modinfoField("xchain_c", "alias"));
        assertEquals(List.of("xchain_c"), kmod.resolveAlias("platform:xchain-c"));
        assertEquals(List.of("softdep xsoft pre: xchain_c post: xchain_a"),
                Files.readAllLines(moduleDir.resolve("modules.softdep")).subList(1, 2));
    }
}
