package org.kmodpack.testkernels;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class GzipKernelTest {

    @Test
    void gzipModulesExistButDebiansDepmodLeavesThemOut() throws IOException {
        Path moduleDir = SyntheticKernels.moduleDir(SyntheticKernel.GZIP);
        for (String module : List.of("kernel/lib/gz/gz_a.ko.gz", "kernel/lib/gz/gz_b.ko.gz")) {
            assertEquals(FileMagic.GZIP, FileMagic.head(moduleDir.resolve(module), 2), module);
        }
        // Documents the system's kmod (built -ZLIB); a zlib-enabled depmod would list the .ko.gz modules too.
        assertEquals(List.of("kernel/lib/gz/plain_c.ko:", "kernel/lib/gz/xz_d.ko.xz: kernel/lib/gz/plain_c.ko"),
                Files.readAllLines(moduleDir.resolve("modules.dep")));
    }
}
