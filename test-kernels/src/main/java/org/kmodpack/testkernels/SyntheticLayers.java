package org.kmodpack.testkernels;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Two layers of extra modules over {@link SyntheticKernel#BASIC}, made of its real compiled modules under new
 * paths, each covering what a layer changes in the union's index:
 * <ul>
 * <li>{@link #vendor}: updates/diamond_bottom.ko overrides the in-tree module that base modules depend on;
 * extra/vendor/layer_top.ko is a new module that needs the base's diamond_left and diamond_right;
 * extra/vendor/standalone.ko wins over the in-tree one through its depmod.d/vendor.conf {@code override} line;
 * no modules.order (the layer's modules in path order).</li>
 * <li>{@link #tools}: updates/pps_lite.ko.xz (compressed) overrides a module the base's ptp_lite needs;
 * extra/tools/chain_tail.ko exports the same symbol as the base's chain_d; its own modules.order lists
 * chain_tail first.</li>
 * </ul>
 * Two more leave every base module's modules.dep line as it is, so that lookups merge them with the base's index
 * without indexing the union:
 * <ul>
 * <li>{@link #dependents}: extra/addon/layer_top.ko needs the base's diamond_left and diamond_right;
 * extra/addon/igb_twin.ko.xz needs ptp_lite and pps_lite and has igb's aliases; updates/standalone.ko overrides
 * a base module nothing uses.</li>
 * <li>{@link #softdeps}: extra/more/uas_twin.ko.xz needs the base's usb_storage_lite, and has it as a softdep
 * too, extra/more/softdep_twin.ko has the softdeps of the base's softdep_user; its own modules.order, the
 * other way round.</li>
 * <li>{@link #exporter}: extra/export/chain_twin.ko is the base's chain_d exporting {@value #TWIN_SYMBOL} instead
 * of chain_d_run, a symbol of the layer's own; updates/fuse_lite.ko.xz overrides the base's fuse_lite, whose
 * aliases and device node move with it.</li>
 * </ul>
 * Two more are what a union must refuse when the base knows the kernel's exports:
 * <ul>
 * <li>{@link #unknownSymbol}: extra/broken/needs_lost.ko is the base's diamond_top with the symbol it needs from
 * diamond_left renamed to {@value #LOST_SYMBOL}, which nothing exports.</li>
 * <li>{@link #exportsDropped}: updates/diamond_bottom.ko is the base's standalone module under diamond_bottom's
 * name: it overrides the module whose exports diamond_left, diamond_right and others need, and exports none.</li>
 * </ul>
 */
public final class SyntheticLayers {
    /** The symbol {@link #unknownSymbol}'s module needs: diamond_left_run, renamed in place (same length). */
    public static final String LOST_SYMBOL = "diamond_lost_run";
    /** The symbol {@link #exporter}'s chain_twin exports: chain_d_run, renamed in place (same length). */
    public static final String TWIN_SYMBOL = "chain_t_run";

    private SyntheticLayers() {
    }

    /** Writes the vendor layer into {@code directory} (created) and returns it. */
    public static Path vendor(Path directory) throws IOException {
        Path base = SyntheticKernels.moduleDir(SyntheticKernel.BASIC);
        copy(base, "kernel/drivers/diamond/diamond_bottom", directory, "updates/diamond_bottom");
        copy(base, "kernel/drivers/diamond/diamond_top", directory, "extra/vendor/layer_top");
        copy(base, "kernel/drivers/misc/standalone", directory, "extra/vendor/standalone");
        Files.createDirectories(directory.resolve("depmod.d"));
        Files.writeString(directory.resolve("depmod.d/vendor.conf"), "override standalone * extra/vendor\n");
        return directory;
    }

    /** Writes the tools layer into {@code directory} (created) and returns it. */
    public static Path tools(Path directory) throws IOException {
        Path base = SyntheticKernels.moduleDir(SyntheticKernel.BASIC);
        copy(base, "kernel/drivers/pps/pps_lite", directory, "updates/pps_lite");
        copy(base, "kernel/lib/chain/chain_d", directory, "extra/tools/chain_tail");
        Files.writeString(directory.resolve("modules.order"), "extra/tools/chain_tail.ko\nupdates/pps_lite.ko\n");
        return directory;
    }

    /** Writes the dependents layer into {@code directory} (created) and returns it. */
    public static Path dependents(Path directory) throws IOException {
        Path base = SyntheticKernels.moduleDir(SyntheticKernel.BASIC);
        copy(base, "kernel/drivers/diamond/diamond_top", directory, "extra/addon/layer_top");
        copy(base, "kernel/drivers/net/ethernet/intel/igb/igb", directory, "extra/addon/igb_twin");
        copy(base, "kernel/drivers/misc/standalone", directory, "updates/standalone");
        return directory;
    }

    /** Writes the softdeps layer into {@code directory} (created) and returns it. */
    public static Path softdeps(Path directory) throws IOException {
        Path base = SyntheticKernels.moduleDir(SyntheticKernel.BASIC);
        copy(base, "kernel/drivers/misc/softdep_user", directory, "extra/more/softdep_twin");
        copy(base, "kernel/drivers/usb/storage/uas-lite", directory, "extra/more/uas_twin");
        Files.writeString(directory.resolve("modules.order"), "extra/more/uas_twin.ko\n"
                + "extra/more/softdep_twin.ko\n");
        return directory;
    }

    /** Writes the exporter layer into {@code directory} (created) and returns it. */
    public static Path exporter(Path directory) throws IOException {
        Path base = SyntheticKernels.moduleDir(SyntheticKernel.BASIC);
        copy(base, "kernel/lib/chain/chain_d", directory, "extra/export/chain_twin");
        renameSymbol(directory.resolve("extra/export/chain_twin.ko"), "chain_d_run", TWIN_SYMBOL);
        copy(base, "kernel/fs/fuse/fuse_lite", directory, "updates/fuse_lite");
        return directory;
    }

    /** Writes the layer of a module needing {@value #LOST_SYMBOL} into {@code directory} (created) and returns it. */
    public static Path unknownSymbol(Path directory) throws IOException {
        Path base = SyntheticKernels.moduleDir(SyntheticKernel.BASIC);
        copy(base, "kernel/drivers/diamond/diamond_top", directory, "extra/broken/needs_lost");
        renameSymbol(directory.resolve("extra/broken/needs_lost.ko"), "diamond_left_run", LOST_SYMBOL);
        return directory;
    }

    /**
     * Renames symbol {@code from} of an uncompressed module file to {@code to}, of the same length, wherever a
     * string ends in it: the symbol table's names (with their __ksymtab_ and __crc_ forms), the export strings and
     * the __versions entries.
     */
    private static void renameSymbol(Path module, String from, String to) throws IOException {
        byte[] bytes = Files.readAllBytes(module);
        byte[] old = (from + "\0").getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        byte[] renamed = (to + "\0").getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        if (old.length != renamed.length) {
            throw new IllegalArgumentException(from + " and " + to + " differ in length");
        }
        int found = 0;
        for (int at = 0; at + old.length <= bytes.length; at++) {
            if (java.util.Arrays.equals(bytes, at, at + old.length, old, 0, old.length)) {
                System.arraycopy(renamed, 0, bytes, at, renamed.length);
                found++;
            }
        }
        if (found == 0) {
            throw new IOException(module + ": does not name " + from + "; the basic kernel changed");
        }
        Files.write(module, bytes);
    }

    /** Writes the layer whose diamond_bottom exports nothing into {@code directory} (created) and returns it. */
    public static Path exportsDropped(Path directory) throws IOException {
        copy(SyntheticKernels.moduleDir(SyntheticKernel.BASIC), "kernel/drivers/misc/standalone", directory,
                "updates/diamond_bottom");
        return directory;
    }

    /** Copies the module file of {@code stem} (whatever its compression) to {@code target} plus that extension. */
    private static void copy(Path base, String stem, Path directory, String target) throws IOException {
        Path folder = base.resolve(stem).getParent();
        String name = base.resolve(stem).getFileName() + ".ko";
        try (DirectoryStream<Path> files = Files.newDirectoryStream(folder, name + "*")) {
            for (Path file : files) {
                String extension = file.getFileName().toString().substring(name.length() - 3);
                Path destination = directory.resolve(target + extension);
                Files.createDirectories(destination.getParent());
                Files.copy(file, destination, StandardCopyOption.COPY_ATTRIBUTES);
                return;
            }
        }
        throw new IOException(base + ": has no module " + stem + " to copy into a layer");
    }
}
