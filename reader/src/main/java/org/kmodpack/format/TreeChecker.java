package org.kmodpack.format;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * Checks that entry rows (the ENTRIES section, or a firmware tree's) describe one tree: entry 0 is the root;
 * each directory's children are the next unclaimed run of entries, sorted by name with no duplicates, and point
 * back at it; hard links agree on everything but their names. Children always come after their parent, so no
 * cycle can exist.
 */
record TreeChecker(String bundle, String label, int count, long dataLength, ByteBuffer entries, ByteBuffer names) {
    /** Returns each inode's link count, indexed by inode number. */
    int[] check() throws CorruptBundleException {
        int[] linkCounts = new int[count + 1];
        int[] firstEntryOfInode = new int[count + 1];
        Arrays.fill(firstEntryOfInode, -1);
        EntryRecord root = EntryRecord.decode(entries, 0, bundle);
        if (root.kind() != EntryKind.DIRECTORY || root.nameLength() != 0 || root.parent() != 0) {
            throw new CorruptBundleException(bundle, label + "entry 0 is not the root directory");
        }
        long nextChild = 1;
        for (int i = 0; i < count; i++) {
            EntryRecord entry = EntryRecord.decode(entries, i, bundle);
            checkAttributes(i, entry);
            if (i > 0) {
                checkName(i, entry);
            }
            int inode = entry.inode();
            if (inode < 1 || inode > count) {
                throw new CorruptBundleException(bundle, label + "entry " + i + " has inode "
                        + Integer.toUnsignedString(inode) + " outside 1.." + count);
            }
            int first = firstEntryOfInode[inode];
            if (first >= 0) {
                checkHardLink(first, i, entry);
            } else {
                firstEntryOfInode[inode] = i;
            }
            switch (entry.kind()) {
                case DIRECTORY -> {
                    long children = entry.size();
                    if (children < 0 || children > count - nextChild
                            || (children > 0 ? entry.ref() != nextChild || entry.ref() <= i : entry.ref() != 0)) {
                        throw new CorruptBundleException(bundle, label + "directory entry " + i
                                + " claims children " + entry.ref() + ".." + (entry.ref() + children - 1)
                                + " but the next unclaimed entry is " + nextChild + " of " + count);
                    }
                    checkChildren(i, (int) entry.ref(), (int) children);
                    nextChild += children;
                    int subdirectories = 0;
                    for (int c = (int) entry.ref(); c < entry.ref() + children; c++) {
                        if (entries.get(c * EntryRecord.SIZE + EntryRecord.KIND_AT) == EntryKind.DIRECTORY.id()) {
                            subdirectories++;
                        }
                    }
                    linkCounts[inode] = 2 + subdirectories;
                }
                case FILE -> {
                    if (entry.size() < 0 || entry.ref() < 0 || entry.size() > dataLength - entry.ref()) {
                        throw new CorruptBundleException(bundle, label + "file " + path(i) + " claims bytes "
                                + entry.ref() + " to " + (entry.ref() + entry.size()) + " of a " + dataLength
                                + "-byte data stream");
                    }
                    linkCounts[inode]++;
                }
                case SYMLINK -> {
                    checkSymlink(i, entry);
                    linkCounts[inode] = 1;
                }
            }
        }
        if (nextChild != count) {
            throw new CorruptBundleException(bundle, (count - nextChild) + " " + label
                    + "entries belong to no directory");
        }
        return linkCounts;
    }

    private void checkAttributes(int i, EntryRecord entry) throws CorruptBundleException {
        if ((entry.mode() & ~07777) != 0) {
            throw new CorruptBundleException(bundle, label + "entry " + i + " has mode bits 0"
                    + Integer.toOctalString(entry.mode()) + " outside 07777");
        }
        if (entry.mtimeNanos() < 0 || entry.mtimeNanos() >= 1_000_000_000) {
            throw new CorruptBundleException(bundle, label + "entry " + i + " has mtime nanoseconds "
                    + Integer.toUnsignedString(entry.mtimeNanos()));
        }
    }

    private void checkName(int i, EntryRecord entry) throws CorruptBundleException {
        long end = Integer.toUnsignedLong(entry.nameOffset()) + entry.nameLength();
        if (end > names.remaining()) {
            throw new CorruptBundleException(bundle, "name of " + label + "entry " + i + " lies outside " + pool());
        }
        byte[] name = new byte[entry.nameLength()];
        names.get(entry.nameOffset(), name);
        if (!Names.isValidName(name)) {
            throw new CorruptBundleException(bundle, label + "entry " + i + " has an invalid name '"
                    + new String(name, java.nio.charset.StandardCharsets.UTF_8)
                    + "' (empty, '.', '..', containing '/' or NUL, or not UTF-8)");
        }
    }

    private void checkChildren(int directory, int first, int count) throws CorruptBundleException {
        byte[] previous = null;
        for (int c = first; c < first + count; c++) {
            int at = c * EntryRecord.SIZE;
            if (entries.getInt(at + EntryRecord.PARENT_AT) != directory) {
                throw new CorruptBundleException(bundle, label + "entry " + c + " lies in directory " + directory
                        + "'s children but names "
                        + Integer.toUnsignedString(entries.getInt(at + EntryRecord.PARENT_AT)) + " as parent");
            }
            long offset = Integer.toUnsignedLong(entries.getInt(at + EntryRecord.NAME_OFFSET_AT));
            int length = Short.toUnsignedInt(entries.getShort(at + EntryRecord.NAME_LENGTH_AT));
            if (offset + length > names.remaining()) {
                throw new CorruptBundleException(bundle, "name of " + label + "entry " + c + " lies outside " + pool());
            }
            byte[] name = new byte[length];
            names.get((int) offset, name);
            if (previous != null && Names.compare(previous, name) >= 0) {
                throw new CorruptBundleException(bundle, label + "directory " + path(directory)
                        + " has children out of order or twice: '" + new String(name, java.nio.charset.StandardCharsets.UTF_8) + "'");
            }
            previous = name;
        }
    }

    private void checkSymlink(int i, EntryRecord entry) throws CorruptBundleException {
        long length = entry.size();
        if (length < 1 || length > Names.MAX_SYMLINK_TARGET_LENGTH || entry.ref() < 0
                || entry.ref() > names.remaining() - length) {
            throw new CorruptBundleException(bundle, label + "symlink " + path(i) + " has a target of " + length
                    + " bytes at " + entry.ref() + ", outside " + pool());
        }
        byte[] target = new byte[(int) length];
        names.get((int) entry.ref(), target);
        for (byte b : target) {
            if (b == 0) {
                throw new CorruptBundleException(bundle, label + "symlink " + path(i) + " has a NUL in its target");
            }
        }
        Utf8.decode(target, bundle, "target of " + label + "symlink " + path(i));
    }

    private void checkHardLink(int first, int i, EntryRecord entry) throws CorruptBundleException {
        EntryRecord other = EntryRecord.decode(entries, first, bundle);
        boolean same = entry.kind() == EntryKind.FILE && other.kind() == EntryKind.FILE
                && entry.mode() == other.mode() && entry.uid() == other.uid() && entry.gid() == other.gid()
                && entry.mtimeSeconds() == other.mtimeSeconds() && entry.mtimeNanos() == other.mtimeNanos()
                && entry.size() == other.size() && entry.ref() == other.ref();
        if (!same) {
            throw new CorruptBundleException(bundle, label + "entries " + first + " and " + i + " share inode "
                    + entry.inode() + " but are not identical files");
        }
    }

    /** Where the names lie, for messages. */
    private String pool() {
        return label.isEmpty() ? "the NAMES section" : "the " + label + "name pool";
    }

    /** A best-effort path for messages; the entries on the way up were checked before this one. */
    private String path(int i) {
        StringBuilder path = new StringBuilder();
        int at = i;
        for (int depth = 0; at > 0 && depth < 4096; depth++) {
            int offset = entries.getInt(at * EntryRecord.SIZE + EntryRecord.NAME_OFFSET_AT);
            int length = Short.toUnsignedInt(entries.getShort(at * EntryRecord.SIZE + EntryRecord.NAME_LENGTH_AT));
            if (Integer.toUnsignedLong(offset) + length > names.remaining()) {
                return "entry " + i;
            }
            byte[] name = new byte[length];
            names.get(offset, name);
            path.insert(0, "/" + new String(name, java.nio.charset.StandardCharsets.UTF_8));
            int parent = entries.getInt(at * EntryRecord.SIZE + EntryRecord.PARENT_AT);
            if (parent < 0 || parent >= at) {
                return "entry " + i;
            }
            at = parent;
        }
        return path.length() == 0 ? "/" : path.substring(1);
    }
}
