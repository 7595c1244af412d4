package org.kmodpack.cli;

import java.io.IOException;
import org.kmodpack.reader.Bundle;

/** kmod's -k/-S KVER on a bundle, which holds one kernel's modules: only that kernel's version answers. */
final class KernelVersions {
    private KernelVersions() {
    }

    static void check(Bundle bundle, String location, String requested, String option) throws IOException {
        if (requested != null && !requested.equals(bundle.kernelVersion())) {
            throw new IOException(location + ": holds the modules of kernel " + bundle.kernelVersion() + ", not "
                    + requested + " (" + option + "); give that kernel's bundle");
        }
    }
}
