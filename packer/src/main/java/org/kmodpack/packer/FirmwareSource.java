package org.kmodpack.packer;

import java.io.Closeable;
import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import org.kmodpack.modules.FirmwareFiles;

/**
 * The firmware directories a user names (--firmware DIR), seen as the kernel's loader sees them for one kernel
 * version: in each DIR it searches DIR/updates/KVER, DIR/updates, DIR/KVER, then DIR itself, and the first
 * directory holding a path wins, so the bundle's firmware tree is what the loader would find, ready to be served
 * at /lib/firmware/updates/KVER. A firmware package (.deb) or tar archive is read as the directory it installs
 * ({@link ArchiveTree#firmware}), held in memory until this is closed.
 */
final class FirmwareSource implements Closeable {
    /** What errors and the summary call names given with --firmware-extra. */
    static final String EXTRA = "--firmware-extra";

    /**
     * What the bundle takes: its files and symlinks, the names nothing serves with who asked for each (a module,
     * or {@link #EXTRA}), and how many distinct names were asked for.
     */
    record Selection(SortedSet<String> paths, SortedMap<String, SortedSet<String>> missing, int names) {
    }

    private final Path root;
    private final Map<String, Path> sources;
    private final FirmwareFiles files;
    private final List<ArchiveTree> archives;

    private FirmwareSource(Path root, Map<String, Path> sources, FirmwareFiles files, List<ArchiveTree> archives) {
        this.root = root;
        this.sources = sources;
        this.files = files;
        this.archives = archives;
    }

    static FirmwareSource read(List<Path> directories, String kernelVersion) throws IOException {
        List<ArchiveTree> archives = new ArrayList<>();
        try {
            return read(directories, kernelVersion, archives);
        } catch (IOException | RuntimeException e) {
            closeAll(archives);
            throw e;
        }
    }

    private static FirmwareSource read(List<Path> directories, String kernelVersion, List<ArchiveTree> archives)
            throws IOException {
        Map<String, Path> sources = new HashMap<>();
        Map<String, FirmwareFiles.Node> nodes = new HashMap<>();
        List<Path> real = new ArrayList<>();
        for (Path given : directories) {
            if (Files.isRegularFile(given)) {
                ArchiveTree archive = ArchiveTree.firmware(given);
                archives.add(archive);
                given = archive.moduleDirectory();
            } else if (!Files.isDirectory(given)) {
                throw new IOException(given + ": no such directory or file; name a firmware directory such as "
                        + "/lib/firmware, or a firmware package (.deb), with --firmware");
            }
            // A symlink to the directory (/lib/firmware on some systems) is where the walk starts, not an entry.
            Path directory = given.toRealPath();
            real.add(directory);
            Map<String, Set<String>> searched = new LinkedHashMap<>();
            searched.put("updates/" + kernelVersion, Set.of());
            searched.put("updates", Set.of(kernelVersion));
            searched.put(kernelVersion, Set.of());
            searched.put("", Set.of("updates", kernelVersion));
            for (Map.Entry<String, Set<String>> search : searched.entrySet()) {
                Path base = search.getKey().isEmpty() ? directory : directory.resolve(search.getKey());
                if (Files.isDirectory(base, LinkOption.NOFOLLOW_LINKS)) {
                    walk(base, search.getValue(), sources, nodes);
                }
            }
        }
        return new FirmwareSource(real.get(0), sources, new FirmwareFiles(nodes), archives);
    }

    /** Releases the archives read into memory; a directory holds nothing. */
    @Override
    public void close() throws IOException {
        closeAll(archives);
    }

    private static void closeAll(List<ArchiveTree> archives) throws IOException {
        for (ArchiveTree archive : archives) {
            archive.close();
        }
    }

    /** Adds what {@code base} holds, but its top-level {@code searchedApart} folders, where no path is known yet. */
    private static void walk(Path base, Set<String> searchedApart, Map<String, Path> sources,
            Map<String, FirmwareFiles.Node> nodes) throws IOException {
        Files.walkFileTree(base, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path directory, BasicFileAttributes attributes) {
                if (directory.equals(base)) {
                    return FileVisitResult.CONTINUE;
                }
                String path = relative(base, directory);
                if (searchedApart.contains(path)) {
                    return FileVisitResult.SKIP_SUBTREE;
                }
                add(path, directory, new FirmwareFiles.Node(FirmwareFiles.Kind.DIRECTORY, null));
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attributes) throws IOException {
                String path = relative(base, file);
                if (attributes.isSymbolicLink()) {
                    add(path, file, new FirmwareFiles.Node(FirmwareFiles.Kind.SYMLINK,
                            Files.readSymbolicLink(file).toString()));
                } else if (attributes.isRegularFile()) {
                    add(path, file, new FirmwareFiles.Node(FirmwareFiles.Kind.FILE, null));
                }
                return FileVisitResult.CONTINUE;
            }

            private void add(String path, Path source, FirmwareFiles.Node node) {
                if (!nodes.containsKey(path)) {
                    nodes.put(path, node);
                    sources.put(path, source);
                }
            }
        });
    }

    private static String relative(Path base, Path path) {
        return base.relativize(path).toString().replace(path.getFileSystem().getSeparator(), "/");
    }

    /**
     * The files and symlinks that serve the modules' requests and {@code selection}'s extra names (with
     * {@code all}, every file and symlink there is), and which names nothing serves.
     */
    Selection select(FirmwareSelection selection, List<FirmwareFiles.Request> requests) {
        List<FirmwareFiles.Request> asked = new ArrayList<>(requests);
        if (!selection.extraNames().isEmpty()) {
            asked.add(new FirmwareFiles.Request(EXTRA, selection.extraNames()));
        }
        FirmwareFiles.Wants wants = files.wants(asked);
        SortedSet<String> paths = new TreeSet<>(selection.all() ? files.files() : wants.files().keySet());
        Set<String> names = new TreeSet<>();
        asked.forEach(request -> names.addAll(request.names()));
        return new Selection(paths, wants.missing(), names.size());
    }

    /** The tree of {@code paths} and the directories leading to them, each entry read from its source. */
    List<ScannedEntry> scan(Set<String> paths) throws IOException {
        Map<String, Set<Path>> children = new TreeMap<>();
        for (String path : paths) {
            String at = path;
            while (!at.isEmpty()) {
                int slash = at.lastIndexOf('/');
                String parent = slash < 0 ? "" : at.substring(0, slash);
                if (!children.computeIfAbsent(parent, p -> new LinkedHashSet<>()).add(sources.get(at))) {
                    break;
                }
                at = parent;
            }
        }
        return TreeScanner.scan(root, (relative, directory) -> new ArrayList<>(children.getOrDefault(relative,
                Set.of())));
    }
}
