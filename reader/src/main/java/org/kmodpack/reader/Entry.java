package org.kmodpack.reader;

import java.nio.file.attribute.FileTime;
import org.kmodpack.format.EntryKind;

/**
 * One file, directory or symlink of a bundle's tree, as stat(2) would describe it. {@code path} is relative
 * to the module directory ("" for the module directory itself), or for an entry of the firmware tree to the
 * firmware directory; {@code index} numbers the entries of the whole bundle, the module directory's first (from
 * 0, its root), then the firmware tree's. {@code symlinkTarget} is null except for symlinks, whose target is
 * kept verbatim and never followed.
 */
public record Entry(int index, String path, EntryKind kind, int mode, int uid, int gid, FileTime lastModified,
        long size, int inode, int linkCount, String symlinkTarget) {

    public String name() {
        return path.substring(path.lastIndexOf('/') + 1);
    }

    public boolean isDirectory() {
        return kind == EntryKind.DIRECTORY;
    }

    public boolean isFile() {
        return kind == EntryKind.FILE;
    }

    public boolean isSymlink() {
        return kind == EntryKind.SYMLINK;
    }
}
