package org.kmodpack.cli;

import java.nio.file.NoSuchFileException;
import org.kmodpack.reader.Bundle;

/** Paths inside a bundle as users give them: relative to the module directory, or absolute under it. */
final class BundlePaths {
    private BundlePaths() {
    }

    /**
     * {@code path} relative to the module directory: an absolute /lib/modules/KVER/... or
     * /usr/lib/modules/KVER/... path (as insmod and modprobe -D print them) loses that prefix.
     */
    static String relative(Bundle bundle, String location, String path) throws NoSuchFileException {
        if (!path.startsWith("/")) {
            return path;
        }
        for (String directory : new String[] {"/lib/modules/", "/usr/lib/modules/"}) {
            String prefix = directory + bundle.kernelVersion();
            if (path.equals(prefix) || path.equals(prefix + "/")) {
                return "";
            }
            if (path.startsWith(prefix + "/")) {
                return path.substring(prefix.length() + 1);
            }
        }
        throw new NoSuchFileException(location + ": " + path, null, "not in the bundle, which holds /lib/modules/"
                + bundle.kernelVersion() + "; give a path under it or relative to it");
    }
}
