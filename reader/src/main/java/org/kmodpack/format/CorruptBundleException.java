package org.kmodpack.format;

import java.io.IOException;

/** The bundle's bytes contradict the format: truncated, out-of-range, inconsistent or damaged. */
public class CorruptBundleException extends IOException {
    private static final long serialVersionUID = 1L;

    public CorruptBundleException(String bundle, String problem) {
        super(bundle + ": " + problem + " (the bundle is damaged or not a kmodpack bundle; repack it or copy it again)");
    }

    protected CorruptBundleException(String message) {
        super(message);
    }
}
