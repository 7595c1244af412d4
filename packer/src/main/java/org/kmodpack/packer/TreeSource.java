package org.kmodpack.packer;

import java.io.IOException;
import java.nio.file.Path;

/**
 * What the packer packs: a module tree and its kernel version. The tree is read through java.nio, so any file
 * system provider serves (the default one, Jimfs, an archive's); {@link #directory} finds the tree in a
 * directory the way users name it. A source that is not one directory (an archive read in place, a merged
 * view of several roots) implements this interface.
 */
public interface TreeSource {
    /** The module directory (lib/modules/KVER): every entry of the bundle lies below it. */
    Path moduleDirectory();

    /** The kernel version the bundle records. */
    String kernelVersion();

    /**
     * The module directory {@code source} names: the directory itself, or a root holding lib/modules/KVER or
     * usr/lib/modules/KVER (an unpacked image package, a chroot, /); {@code kernelVersion} chooses or overrides
     * the version (null: the directory's name, or the only one there is).
     */
    static TreeSource directory(Path source, String kernelVersion) throws IOException {
        return DirectoryTree.locate(source, kernelVersion);
    }
}
