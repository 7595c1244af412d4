package org.kmodpack.packer;

import java.nio.file.Path;
import org.kmodpack.format.EntryKind;

/**
 * One entry of the source tree as the scanner found it, in the bundle's entry order. {@code linkKey}
 * identifies the inode of a multiply-linked file (null otherwise); {@code firstChild}/{@code childCount}
 * give a directory's children; {@code stamp} is a file's, taken before anything else of it was read.
 */
record ScannedEntry(Path source, String path, byte[] name, EntryKind kind, int parent, int firstChild,
        int childCount, int mode, int uid, int gid, long mtimeSeconds, int mtimeNanos, long size, Object linkKey,
        String symlinkTarget, FileStamp stamp) {
}
