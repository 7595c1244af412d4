package org.kmodpack.reader;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * Writes a bundle's tree (or part of it) to a directory: contents, modes, mtimes (of files, directories and
 * symlinks), hard links, symlinks verbatim, and ownership when asked. It never writes outside the
 * destination: every directory on the way is created here or checked to be a real directory, not a symlink.
 */
public final class Extractor {
    private static final LinkOption NOFOLLOW = LinkOption.NOFOLLOW_LINKS;
    private static final int COPY_BUFFER = 256 << 10;

    /** What an extraction wrote. */
    public record Result(int directories, int files, int symlinks, long bytes) {
    }

    private final Bundle bundle;
    /** The tree extracted: the module directory's entries, or the firmware tree's. */
    private final List<Entry> all;
    private final Function<String, Optional<Entry>> find;
    private final Path destination;
    private final boolean restoreOwnership;
    private final Progress progress;
    /** The platform's own file system: chmod and chown take every bit. Others (Jimfs) take rwx only. */
    private final boolean nativeUnix;

    private Extractor(Bundle bundle, List<Entry> all, Function<String, Optional<Entry>> find, Path destination,
            boolean restoreOwnership, Progress progress) {
        this.bundle = bundle;
        this.all = all;
        this.find = find;
        this.destination = destination;
        this.restoreOwnership = restoreOwnership;
        this.progress = progress;
        this.nativeUnix = destination.getFileSystem() == FileSystems.getDefault()
                && destination.getFileSystem().supportedFileAttributeViews().contains("unix");
    }

    /**
     * Extracts {@code paths} (whole subtrees, with the directories leading to them), or everything when
     * {@code paths} is empty, into {@code destination}, which is created if absent.
     */
    public static Result extract(Bundle bundle, Path destination, List<String> paths, boolean restoreOwnership)
            throws IOException {
        return extract(bundle, destination, paths, restoreOwnership, Progress.NONE);
    }

    /** As {@link #extract(Bundle, Path, List, boolean)}, telling {@code progress} after each file written. */
    public static Result extract(Bundle bundle, Path destination, List<String> paths, boolean restoreOwnership,
            Progress progress) throws IOException {
        Files.createDirectories(destination);
        return new Extractor(bundle, bundle.entries(), bundle::find, destination, restoreOwnership, progress)
                .run(paths);
    }

    /**
     * As {@link #extract(Bundle, Path, List, boolean, Progress)}, for the bundle's firmware tree: {@code destination} becomes a firmware directory (what
     * /lib/firmware holds for the bundle's modules), {@code paths} are relative to it. A bundle without firmware
     * is an error naming it.
     */
    public static Result extractFirmware(Bundle bundle, Path destination, List<String> paths,
            boolean restoreOwnership, Progress progress) throws IOException {
        if (!bundle.hasFirmware()) {
            throw new IOException(bundle + ": carries no firmware (it was packed without --firmware)");
        }
        Files.createDirectories(destination);
        return new Extractor(bundle, bundle.firmwareEntries(), bundle::findFirmware, destination, restoreOwnership,
                progress).run(paths);
    }

    private Result run(List<String> paths) throws IOException {
        BitSet selected = select(paths);
        Map<Integer, Path> firstPathOfInode = new HashMap<>();
        List<Entry> directories = new ArrayList<>();
        int files = 0;
        int symlinks = 0;
        long bytes = 0;
        long filesTotal = 0;
        long bytesTotal = 0;
        Set<Integer> inodes = new HashSet<>();
        for (int i = selected.nextSetBit(0); i >= 0; i = selected.nextSetBit(i + 1)) {
            Entry entry = all.get(i);
            if (entry.isFile()) {
                filesTotal++;
                bytesTotal += inodes.add(entry.inode()) ? entry.size() : 0;
            }
        }
        for (int i = selected.nextSetBit(0); i >= 0; i = selected.nextSetBit(i + 1)) {
            Entry entry = all.get(i);
            Path target = entry.path().isEmpty() ? destination : destination.resolve(entry.path());
            switch (entry.kind()) {
                case DIRECTORY -> {
                    makeDirectory(target);
                    directories.add(entry);
                }
                case SYMLINK -> {
                    Files.deleteIfExists(target);
                    Files.createSymbolicLink(target, target.getFileSystem().getPath(entry.symlinkTarget()));
                    restoreOwnerAndTime(target, entry);
                    symlinks++;
                }
                case FILE -> {
                    Path first = firstPathOfInode.putIfAbsent(entry.inode(), target);
                    Files.deleteIfExists(target);
                    if (first != null) {
                        Files.createLink(target, first);
                    } else {
                        bytes += writeContent(entry, target);
                        restoreMode(target, entry);
                        restoreOwnerAndTime(target, entry);
                    }
                    files++;
                    progress.update(files, filesTotal, bytes, bytesTotal);
                }
            }
        }
        // Directories last and deepest first: writing a child changes its directory's mtime, and a
        // read-only directory mode would stop the children from being written at all.
        for (int i = directories.size() - 1; i >= 0; i--) {
            Entry directory = directories.get(i);
            Path target = directory.path().isEmpty() ? destination : destination.resolve(directory.path());
            restoreMode(target, directory);
            restoreOwnerAndTime(target, directory);
        }
        return new Result(directories.size(), files, symlinks, bytes);
    }

    /** The positions in {@link #all} of the entries to write. */
    private BitSet select(List<String> paths) throws IOException {
        BitSet selected = new BitSet(all.size());
        if (paths.isEmpty()) {
            selected.set(0, all.size());
            return selected;
        }
        int first = all.get(0).index();
        for (String path : paths) {
            Entry chosen = find.apply(path).orElseThrow(() -> new NoSuchFileException(bundle + ": " + path, null,
                    "no such file or directory in the bundle"));
            selected.set(chosen.index() - first);
            String prefix = chosen.path().isEmpty() ? "" : chosen.path() + "/";
            for (Entry entry : all) {
                if (entry.path().startsWith(prefix)) {
                    selected.set(entry.index() - first);
                }
                if (!entry.path().isEmpty() && chosen.path().startsWith(entry.path() + "/")) {
                    selected.set(entry.index() - first);
                }
            }
            selected.set(0);
        }
        return selected;
    }

    private void makeDirectory(Path target) throws IOException {
        if (Files.isDirectory(target, NOFOLLOW)) {
            return;
        }
        if (Files.exists(target, NOFOLLOW)) {
            if (!Files.isSymbolicLink(target)) {
                throw new FileAlreadyExistsException(target.toString(), null,
                        "exists and is not a directory; remove it or extract elsewhere");
            }
            throw new IOException(target + " is a symlink where the bundle has a directory: refusing to "
                    + "write through it; remove it or extract into an empty directory");
        }
        Files.createDirectory(target);
    }

    private long writeContent(Entry file, Path target) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(COPY_BUFFER);
        long position = 0;
        try (SeekableByteChannel out = Files.newByteChannel(target, StandardOpenOption.CREATE_NEW,
                StandardOpenOption.WRITE)) {
            while (true) {
                buffer.clear();
                int n = bundle.read(file, position, buffer);
                if (n <= 0) {
                    break;
                }
                buffer.flip();
                while (buffer.hasRemaining()) {
                    out.write(buffer);
                }
                position += n;
            }
        }
        return position;
    }

    private void restoreMode(Path target, Entry entry) throws IOException {
        if (nativeUnix) {
            Files.setAttribute(target, "unix:mode", entry.mode(), NOFOLLOW);
        } else if (target.getFileSystem().supportedFileAttributeViews().contains("posix")) {
            Files.setPosixFilePermissions(target, permissions(entry.mode()));
        }
    }

    private void restoreOwnerAndTime(Path target, Entry entry) throws IOException {
        if (restoreOwnership && nativeUnix) {
            Files.setAttribute(target, "unix:uid", entry.uid(), NOFOLLOW);
            Files.setAttribute(target, "unix:gid", entry.gid(), NOFOLLOW);
        }
        Files.getFileAttributeView(target, BasicFileAttributeView.class, NOFOLLOW)
                .setTimes(entry.lastModified(), null, null);
    }

    private static Set<PosixFilePermission> permissions(int mode) {
        Set<PosixFilePermission> set = EnumSet.noneOf(PosixFilePermission.class);
        PosixFilePermission[] order = {
            PosixFilePermission.OTHERS_EXECUTE, PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_READ,
            PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_READ,
            PosixFilePermission.OWNER_EXECUTE, PosixFilePermission.OWNER_WRITE, PosixFilePermission.OWNER_READ};
        for (int bit = 0; bit < order.length; bit++) {
            if ((mode & (1 << bit)) != 0) {
                set.add(order[bit]);
            }
        }
        return set;
    }
}
