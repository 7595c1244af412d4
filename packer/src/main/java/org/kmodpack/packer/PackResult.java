package org.kmodpack.packer;

import java.nio.file.Path;
import java.time.Duration;

/**
 * What a pack produced, for the one-line summary. {@code indexedModules} is the module count of the MODULES
 * section, or -1 when none was written (the tree had no modules.dep.bin).
 */
public record PackResult(Path bundle, String kernelVersion, int files, long inputBytes, long bundleBytes,
        Duration elapsed, int indexedModules) {

    public double ratio() {
        return inputBytes == 0 ? 0 : (double) bundleBytes / inputBytes;
    }
}
