package org.kmodpack.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.kmodpack.testkernels.SyntheticKernel;
import org.kmodpack.testkernels.SyntheticKernels;

/**
 * kmodpack pack --system-map / --symvers: the kernel's exports recorded (format 1.4, shown by info), and the tree's
 * modules checked against them with exactly the warnings kmod's depmod -e -F prints for the same System.map.
 */
class KernelSymbolsPackTest {
    private static final String KVER = SyntheticKernel.BASIC.kernelVersion();

    @TempDir
    Path work;

    @Test
    void theKernelsSymbolsAreRecordedAndTheModulesCheckedAsDepmodE() throws IOException {
        String tree = SyntheticKernels.moduleDir(SyntheticKernel.BASIC).toString();
        Path bundle = work.resolve("base.kpack");
        CliTest.Run pack = CliTest.run("pack", tree, "-o", bundle.toString(), "--system-map",
                SyntheticKernels.systemMap(SyntheticKernel.BASIC).toString());
        assertEquals(0, pack.exit(), pack.err());
        assertEquals("", pack.err(), "every symbol the modules need is exported");
        assertTrue(pack.out().contains(bundle + ": kernel symbols: 3 exports from System.map recorded; the modules "
                + "checked as depmod -e does: 0 unknown symbols, 0 version mismatches\n"), pack.out());
        CliTest.Run info = CliTest.run("info", bundle.toString());
        assertTrue(info.out().contains("format version:  1.4\n") && info.out().contains("kernel symbols:  3 exports "
                + "from System.map: layers' modules are checked against them\n"), info.out());

        // A System.map without kmalloc: the modules that need it are warned about, in depmod's words, as kmod does.
        Path partial = Files.writeString(work.resolve("System.map-partial"),
                "ffffffff81000000 R __ksymtab_printk\nffffffff81000010 R __ksymtab_kfree\n");
        CliTest.Run warned = CliTest.run("pack", tree, "-o", work.resolve("partial.kpack").toString(),
                "--system-map", partial.toString());
        assertEquals(0, warned.exit(), warned.err());
        Set<String> ours = new TreeSet<>(warned.err().lines().toList());
        assertTrue(!ours.isEmpty() && ours.stream().allMatch(line -> line.endsWith(" needs unknown symbol kmalloc")),
                warned.err());
        Set<String> kmods = new TreeSet<>();
        LayerFixtures.depmodWarnings(SyntheticKernels.root(SyntheticKernel.BASIC), KVER, List.of("-e", "-F",
                partial.toString())).forEach(rest -> kmods.add("depmod: WARNING: " + tree + "/" + rest));
        assertEquals(kmods, ours);
    }

    @Test
    void symbolsAreGivenOnceToABaseAndNeverToALayer() throws IOException {
        String tree = SyntheticKernels.moduleDir(SyntheticKernel.BASIC).toString();
        String systemMap = SyntheticKernels.systemMap(SyntheticKernel.BASIC).toString();
        Path symvers = Files.writeString(work.resolve("Module.symvers"), "0x1\tprintk\tvmlinux\tEXPORT_SYMBOL\n");
        CliTest.Run both = CliTest.run("pack", tree, "-o", work.resolve("x.kpack").toString(), "--system-map",
                systemMap, "--symvers", symvers.toString());
        assertEquals(2, both.exit(), both.err());
        assertTrue(both.err().contains("mutually exclusive"), both.err());
        CliTest.Run layer = CliTest.run("pack", tree, "--layer", "--kernel-version", KVER, "-o",
                work.resolve("l.kpack").toString(), "--symvers", symvers.toString());
        assertEquals(2, layer.exit(), layer.err());
        Path placeholder = Files.writeString(work.resolve("System.map-placeholder"),
                "ffffffffffffffff B The real System.map is in the linux-image-<version>-dbg package\n");
        CliTest.Run empty = CliTest.run("pack", tree, "-o", work.resolve("y.kpack").toString(), "--system-map",
                placeholder.toString());
        assertEquals(1, empty.exit());
        assertEquals("kmodpack: " + placeholder + ": lists no symbols the kernel exports (no __ksymtab_ symbol; "
                + "Debian's /boot/System.map is a placeholder, the real one is in the -dbg package); give "
                + "linux-headers' Module.symvers with --symvers\n", empty.err());
        assertTrue(Files.notExists(work.resolve("y.kpack")));
    }
}
