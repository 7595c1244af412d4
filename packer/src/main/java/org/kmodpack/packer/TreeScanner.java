package org.kmodpack.packer;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.kmodpack.format.EntryKind;
import org.kmodpack.format.Names;

/**
 * Walks a module directory breadth-first, children sorted by name bytes, which is exactly the order the
 * ENTRIES section stores: the result does not depend on the file system's directory order. Symlinks are
 * recorded, never followed. Each entry is described with what its own file system tells (entries may come
 * from several).
 */
final class TreeScanner {
    private static final LinkOption NOFOLLOW = LinkOption.NOFOLLOW_LINKS;

    private TreeScanner() {
    }

    /** The entries a scan takes from a directory: the files they are read from. */
    @FunctionalInterface
    interface Children {
        /** The children of the directory at {@code relative} ("" for the root), read from {@code directory}. */
        List<Path> of(String relative, Path directory) throws IOException;
    }

    static List<ScannedEntry> scan(Path moduleDirectory) throws IOException {
        return scan(moduleDirectory, path -> false, Map.of());
    }

    /**
     * As {@link #scan(Path)}, leaving out the entries (and what lies below them) whose relative path is skipped,
     * with {@code added} files at the top (name: the file to read), in place of the directory's of the same name.
     */
    static List<ScannedEntry> scan(Path moduleDirectory, Predicate<String> skipped, Map<String, Path> added)
            throws IOException {
        return scan(moduleDirectory, (relative, directory) -> {
            List<Path> kept = new ArrayList<>();
            for (Path child : listed(directory)) {
                String name = child.getFileName().toString();
                if (!skipped.test(relative.isEmpty() ? name : relative + "/" + name)
                        && !(relative.isEmpty() && added.containsKey(name))) {
                    kept.add(child);
                }
            }
            if (relative.isEmpty()) {
                kept.addAll(added.values());
            }
            return kept;
        });
    }

    /**
     * A tree whose entries {@code children} chooses, each described from the file it names (a tree gathered from
     * several directories, as firmware is); the root is described from {@code root}.
     */
    static List<ScannedEntry> scan(Path root, Children children) throws IOException {
        return run(root, children);
    }

    private static List<Path> listed(Path directory) throws IOException {
        List<Path> children = new ArrayList<>();
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(directory)) {
            stream.forEach(children::add);
        }
        return children;
    }

    private static List<ScannedEntry> run(Path root, Children childrenOf) throws IOException {
        List<ScannedEntry> entries = new ArrayList<>();
        entries.add(describe(root, "", new byte[0], 0));
        Deque<Integer> directories = new ArrayDeque<>();
        directories.add(0);
        while (!directories.isEmpty()) {
            int at = directories.poll();
            ScannedEntry directory = entries.get(at);
            List<Child> children = list(childrenOf.of(directory.path(), directory.source()));
            int first = entries.size();
            for (Child child : children) {
                String path = pathOf(directory, child);
                ScannedEntry entry = describe(child.path, path, child.nameBytes, at);
                if (entry.kind() == EntryKind.DIRECTORY) {
                    directories.add(entries.size());
                }
                entries.add(entry);
            }
            entries.set(at, withChildren(directory, children.isEmpty() ? 0 : first, children.size()));
        }
        return entries;
    }

    private record Child(Path path, String name, byte[] nameBytes) {
    }

    private static String pathOf(ScannedEntry directory, Child child) {
        return directory.path().isEmpty() ? child.name : directory.path() + "/" + child.name;
    }

    private static List<Child> list(List<Path> paths) throws IOException {
        List<Child> children = new ArrayList<>();
        for (Path path : paths) {
            String name = path.getFileName().toString();
            checkName(path, name);
            children.add(new Child(path, name, name.getBytes(StandardCharsets.UTF_8)));
        }
        children.sort((a, b) -> Names.compare(a.nameBytes, b.nameBytes));
        return children;
    }

    /**
     * Java decodes file names with the platform charset and replaces bytes that are not valid in it with
     * U+FFFD; such a name then no longer resolves to the file it came from.
     */
    private static void checkName(Path path, String name) throws IOException {
        if (name.indexOf('\uFFFD') >= 0 && !Files.exists(path.resolveSibling(name), NOFOLLOW)) {
            throw new IOException(path + ": its name is not valid UTF-8; rename it (kmodpack stores UTF-8 names)");
        }
        String problem = Names.problemWith(name);
        if (problem != null) {
            throw new IOException(path + ": " + problem + "; rename it");
        }
    }

    private static ScannedEntry describe(Path path, String relative, byte[] name, int parent) throws IOException {
        FileStamp stamp = FileStamp.of(path);
        BasicFileAttributes basic = Files.readAttributes(path, BasicFileAttributes.class, NOFOLLOW);
        EntryKind kind;
        if (basic.isSymbolicLink()) {
            kind = EntryKind.SYMLINK;
        } else if (basic.isDirectory()) {
            kind = EntryKind.DIRECTORY;
        } else if (basic.isRegularFile()) {
            kind = EntryKind.FILE;
        } else {
            throw new IOException(path + ": is a device, FIFO or socket; a module tree holds only files, "
                    + "directories and symlinks: remove it");
        }
        int mode;
        int uid = 0;
        int gid = 0;
        Object linkKey = null;
        var views = path.getFileSystem().supportedFileAttributeViews();
        if (views.contains("unix")) {
            Map<String, Object> unix = Files.readAttributes(path, "unix:mode,uid,gid,nlink,ino,dev", NOFOLLOW);
            mode = (Integer) unix.get("mode") & 07777;
            uid = (Integer) unix.get("uid");
            gid = (Integer) unix.get("gid");
            if (kind == EntryKind.FILE && (Integer) unix.get("nlink") > 1) {
                linkKey = List.of(unix.get("dev"), unix.get("ino"));
            }
        } else if (views.contains("posix")) {
            mode = modeBits(Files.readAttributes(path, PosixFileAttributes.class, NOFOLLOW));
            // Without a link count, the file key tells which names share an inode (an archive's tree in memory).
            if (kind == EntryKind.FILE) {
                linkKey = basic.fileKey();
            }
        } else {
            mode = kind == EntryKind.FILE ? 0644 : 0755;
        }
        String target = null;
        long size = basic.size();
        if (kind == EntryKind.SYMLINK) {
            target = Files.readSymbolicLink(path).toString();
            size = target.getBytes(StandardCharsets.UTF_8).length;
            if (target.indexOf('\uFFFD') >= 0 || size > Names.MAX_SYMLINK_TARGET_LENGTH || size == 0) {
                throw new IOException(path + ": symlink target is empty, longer than "
                        + Names.MAX_SYMLINK_TARGET_LENGTH + " bytes or not valid UTF-8");
            }
        }
        Instant mtime = basic.lastModifiedTime().toInstant();
        return new ScannedEntry(path, relative, name, kind, parent, 0, 0, mode, uid, gid, mtime.getEpochSecond(),
                mtime.getNano(), kind == EntryKind.DIRECTORY ? 0 : size, linkKey, target,
                kind == EntryKind.FILE ? stamp : null);
    }

    private static ScannedEntry withChildren(ScannedEntry d, int firstChild, int childCount) {
        return new ScannedEntry(d.source(), d.path(), d.name(), d.kind(), d.parent(), firstChild, childCount,
                d.mode(), d.uid(), d.gid(), d.mtimeSeconds(), d.mtimeNanos(), d.size(), d.linkKey(),
                d.symlinkTarget(), d.stamp());
    }

    private static int modeBits(PosixFileAttributes attributes) {
        int mode = 0;
        for (PosixFilePermission permission : attributes.permissions()) {
            mode |= 0400 >> permission.ordinal();
        }
        return mode;
    }
}
