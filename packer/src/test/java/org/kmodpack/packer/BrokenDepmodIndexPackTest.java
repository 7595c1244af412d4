package org.kmodpack.packer;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.kmodpack.modules.DepmodBin;

/**
 * A modules.dep.bin that kmod could not follow stops the pack with the file and the fix, and leaves no bundle.
 * The damaged indexes are written with {@link DepmodBin.Writer}, the way depmod writes good ones.
 */
class BrokenDepmodIndexPackTest {
    @TempDir
    Path work;

    @Test
    void aDependencyWithoutALineOfItsOwnIsRefused() throws IOException {
        DepmodBin.Writer dep = new DepmodBin.Writer();
        dep.insert("a", "kernel/a.ko: kernel/missing.ko", 0);
        IOException e = refused(dep);
        assertTrue(e.getMessage().contains("modules.dep.bin: a depends on kernel/missing.ko, which has no line of its "
                + "own; run depmod again"), e.getMessage());
    }

    @Test
    void aLineWithoutAColonIsRefused() throws IOException {
        DepmodBin.Writer dep = new DepmodBin.Writer();
        dep.insert("a", "kernel/a.ko", 0);
        IOException e = refused(dep);
        assertTrue(e.getMessage().contains("modules.dep.bin: line of a has no ':'; run depmod again"), e.getMessage());
    }

    private IOException refused(DepmodBin.Writer dep) throws IOException {
        Path tree = Files.createDirectories(work.resolve("lib/modules/6.1.0-test/kernel"));
        Files.write(tree.resolve("a.ko"), new byte[] {0x7F, 'E', 'L', 'F'});
        Files.write(tree.resolveSibling("modules.dep.bin"), dep.toBytes());
        Path bundle = work.resolve("out.kpack");
        IOException e = assertThrows(IOException.class,
                () -> Packer.pack(work, bundle, PackOptions.defaults(), PackProgress.NONE));
        assertFalse(Files.exists(bundle), "no bundle after a refused pack");
        return e;
    }
}
