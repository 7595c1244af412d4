package org.kmodpack.packer;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.SortedMap;
import java.util.SortedSet;
import org.kmodpack.format.KernelSymbolSection;
import org.kmodpack.modules.KmodProblem;

/**
 * What a pack produced, for the one-line summary. {@code indexedModules} is the module count of the MODULES
 * section, or -1 when none was written (the tree had no modules.dep.bin); {@code firmware} is empty when no
 * firmware was asked for; {@code kernelSymbols} when none were recorded.
 */
public record PackResult(Path bundle, String kernelVersion, int files, long inputBytes, long bundleBytes,
        Duration elapsed, int indexedModules, Optional<Firmware> firmware, KernelSymbolsRecord kernelSymbols) {

    /**
     * What the packer did with the kernel's exported symbols. {@code recorded}: where they came from and how many
     * there are, if recorded; {@code fromSource}: the source's System.map it read them from (a kernel package's
     * boot/System.map-KVER), or when {@code recorded} is empty one it found without exports (Debian's is a
     * placeholder: the real one is in the -dbg package); {@code problems}: what depmod -e -F (or -E) reports about
     * the tree's modules against them, and the System.map or Module.symvers lines it skipped.
     */
    public record KernelSymbolsRecord(Optional<Recorded> recorded, Optional<String> fromSource,
            List<KmodProblem> problems) {
        public static final KernelSymbolsRecord NONE = new KernelSymbolsRecord(Optional.empty(), Optional.empty(),
                List.of());
    }

    /** Symbols recorded in the bundle: their kind of source and their count. */
    public record Recorded(KernelSymbolSection.Source source, int count) {
    }

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
