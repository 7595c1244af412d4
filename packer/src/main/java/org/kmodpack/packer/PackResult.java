package org.kmodpack.packer;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.SortedMap;
import java.util.SortedSet;

/**
 * What a pack produced, for the one-line summary. {@code indexedModules} is the module count of the MODULES
 * section, or -1 when none was written (the tree had no modules.dep.bin); {@code firmware} is empty when no
 * firmware was asked for.
 */
public record PackResult(Path bundle, String kernelVersion, int files, long inputBytes, long bundleBytes,
        Duration elapsed, int indexedModules, Optional<Firmware> firmware) {

    /**
     * The firmware tree: its files and symlinks and their bytes, how many distinct names were asked for, and the
     * names no firmware directory holds, each with the modules that ask for it (or --firmware-extra).
     */
    public record Firmware(int files, long bytes, int names, SortedMap<String, SortedSet<String>> missing) {
    }

    /** Bundle size divided by the bytes packed: the module tree's files and the firmware's. */
    public double ratio() {
        long packed = inputBytes + firmware.map(Firmware::bytes).orElse(0L);
        return packed == 0 ? 0 : (double) bundleBytes / packed;
    }
}
