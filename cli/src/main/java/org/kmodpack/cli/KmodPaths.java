package org.kmodpack.cli;

/** How kmod turns -d/-b ROOT into its module directory, so that printed paths match kmod's byte for byte. */
final class KmodPaths {
    private KmodPaths() {
    }

    /**
     * "ROOT/lib/modules/KVER", with a relative ROOT made absolute against the working directory the way libkmod
     * does it (no normalisation: "-d /" gives "//lib/modules/KVER", as kmod prints it).
     */
    static String moduleDirectory(String root, String kernelVersion) {
        String base = root == null ? "" : root;
        if (!base.isEmpty() && !base.startsWith("/")) {
            base = System.getProperty("user.dir") + "/" + base;
        }
        return base + "/lib/modules/" + kernelVersion;
    }
}
