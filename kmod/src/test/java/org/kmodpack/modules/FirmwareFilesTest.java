package org.kmodpack.modules;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** How firmware= names find files: variants, globs and symlinks, as the kernel's loader and dracut find them. */
class FirmwareFilesTest {
    private static final FirmwareFiles FILES = new FirmwareFiles(Map.ofEntries(
            Map.entry("a.bin", file()),
            Map.entry("nic.fw.xz", file()),
            Map.entry("nic.fw.zst", file()),
            Map.entry("both.fw", file()),
            Map.entry("both.fw.xz", file()),
            Map.entry("gpu", directory()),
            Map.entry("gpu/x.bin", file()),
            Map.entry("gpu/y.bin.zst", file()),
            Map.entry("gpu/notes.txt", file()),
            Map.entry("gpu/deeper", directory()),
            Map.entry("gpu/deeper/z.bin", file()),
            Map.entry("usb.fw", link("vendor/usb-v2.fw")),
            Map.entry("vendor", directory()),
            Map.entry("vendor/usb-v2.fw", link("../real/usb.fw")),
            Map.entry("real", directory()),
            Map.entry("real/usb.fw", file()),
            Map.entry("alias", link("real")),
            Map.entry("absolute.fw", link("/lib/firmware/a.bin")),
            Map.entry("outside.fw", link("../a.bin")),
            Map.entry("loop.fw", link("loop.fw")),
            Map.entry("dangling.fw", link("nowhere.fw"))));

    @Test
    void aNameIsServedByItselfAndEachCompressedVariantPresent() {
        assertEquals(List.of("a.bin"), FILES.resolve("a.bin"));
        assertEquals(List.of("nic.fw.zst", "nic.fw.xz"), FILES.resolve("nic.fw"));
        assertEquals(List.of("both.fw", "both.fw.xz"), FILES.resolve("both.fw"));
        assertEquals(List.of(), FILES.resolve("absent.bin"));
        assertEquals(List.of(), FILES.resolve("gpu"), "a directory serves no name");
        assertEquals(List.of(), FILES.resolve("a.bin/x"), "nothing lies below a file");
    }

    @Test
    void aGlobMatchesComponentByComponentWithOrWithoutTheSuffix() {
        assertEquals(List.of("gpu/x.bin", "gpu/y.bin.zst"), FILES.resolve("gpu/*.bin"));
        assertEquals(List.of("gpu/x.bin"), FILES.resolve("gpu/[x].bin"));
        assertEquals(List.of(), FILES.resolve("*.txt"), "a wildcard does not cross '/'");
        assertEquals(List.of("gpu/deeper/z.bin"), FILES.resolve("gpu/*/z.bin"));
    }

    @Test
    void symlinksAreTakenWithWhatTheyLeadTo() {
        assertEquals(List.of("usb.fw", "vendor/usb-v2.fw", "real/usb.fw"), FILES.resolve("usb.fw"));
        assertEquals(List.of("alias", "real/usb.fw"), FILES.resolve("alias/usb.fw"), "a linked directory");
        assertEquals(List.of(), FILES.resolve("absolute.fw"), "an absolute target is the target system's");
        assertEquals(List.of(), FILES.resolve("outside.fw"), "'..' may not leave the directory");
        assertEquals(List.of(), FILES.resolve("loop.fw"));
        assertEquals(List.of(), FILES.resolve("dangling.fw"));
    }

    @Test
    void wantsListsEachFileWithItsModulesAndTheMissingNames() {
        FirmwareFiles.Wants wants = FILES.wants(List.of(
                new FirmwareFiles.Request("nic", List.of("nic.fw", "absent.bin")),
                new FirmwareFiles.Request("usb", List.of("usb.fw", "a.bin")),
                new FirmwareFiles.Request("gpu", List.of("gpu/*.bin", "a.bin"))));
        TreeMap<String, SortedSet<String>> files = new TreeMap<>();
        files.put("a.bin", new TreeSet<>(List.of("gpu", "usb")));
        files.put("gpu/x.bin", new TreeSet<>(List.of("gpu")));
        files.put("gpu/y.bin.zst", new TreeSet<>(List.of("gpu")));
        files.put("nic.fw.xz", new TreeSet<>(List.of("nic")));
        files.put("nic.fw.zst", new TreeSet<>(List.of("nic")));
        files.put("real/usb.fw", new TreeSet<>(List.of("usb")));
        files.put("usb.fw", new TreeSet<>(List.of("usb")));
        files.put("vendor/usb-v2.fw", new TreeSet<>(List.of("usb")));
        assertEquals(files, wants.files());
        assertEquals(Map.of("absent.bin", new TreeSet<>(List.of("nic"))), wants.missing());
    }

    private static FirmwareFiles.Node file() {
        return new FirmwareFiles.Node(FirmwareFiles.Kind.FILE, null);
    }

    private static FirmwareFiles.Node directory() {
        return new FirmwareFiles.Node(FirmwareFiles.Kind.DIRECTORY, null);
    }

    private static FirmwareFiles.Node link(String target) {
        return new FirmwareFiles.Node(FirmwareFiles.Kind.SYMLINK, target);
    }
}
