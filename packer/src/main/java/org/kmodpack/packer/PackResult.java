package org.kmodpack.packer;

import java.nio.file.Path;
import java.time.Duration;

/** What a pack produced, for the one-line summary. */
public record PackResult(Path bundle, String kernelVersion, int files, long inputBytes, long bundleBytes,
        Duration elapsed) {

    public double ratio() {
        return inputBytes == 0 ? 0 : (double) bundleBytes / inputBytes;
    }
}
