package org.kmodpack.modules;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * A module directory on a file system, links followed as depmod follows them; files on disk are read as mappings,
 * not copies (other file systems, such as an archive's tree in memory, cannot map).
 */
public final class DirectoryModuleTree implements ModuleTree {
    /** Below a page a plain read costs less than a mapping; above, a mapping saves copying what is not read. */
    private static final long MAP_THRESHOLD = 4096;
    /** Deeper than any module tree: only a loop of directory links gets there. */
    private static final int MAX_DEPTH = 40;

    private final Path directory;
    private final List<String> files;

    private DirectoryModuleTree(Path directory, List<String> files) {
        this.directory = directory;
        this.files = List.copyOf(files);
    }

    /**
     * Lists the regular files under {@code directory}, not entering (nor listing) entries whose name
     * {@code skipped} accepts, such as depmod's excluded directories ({@link DepmodConfig#excludes}).
     * Entries that cannot be read, such as dangling links, are left out, as depmod leaves them out.
     */
    public static DirectoryModuleTree scan(Path directory, Predicate<String> skipped) throws IOException {
        if (!Files.readAttributes(directory, BasicFileAttributes.class).isDirectory()) {
            throw new NotDirectoryException(directory.toString());
        }
        List<String> files = new ArrayList<>();
        list(directory, "", skipped, files, 0);
        return new DirectoryModuleTree(directory, files);
    }

    /**
     * This tree and the regular files under {@code external} (a depmod.d external directory, absolute), listed as
     * {@code external + "/" + path} as depmod names them, entries {@code skipped} accepts passed over as in
     * {@link #scan}.
     *
     * @throws IOException when {@code external} is not a directory that can be listed
     */
    public DirectoryModuleTree withExternal(String external, Predicate<String> skipped) throws IOException {
        Path root = Path.of(external);
        if (!Files.readAttributes(root, BasicFileAttributes.class).isDirectory()) {
            throw new NotDirectoryException(external);
        }
        List<String> all = new ArrayList<>(files);
        list(root, external + "/", skipped, all, 0);
        return new DirectoryModuleTree(directory, all);
    }

    /**
     * The module files named (absolute, or relative to {@code directory}), with the files depmod reads from the
     * module directory besides modules (modules.order, modules.builtin, modules.builtin.modinfo) that it holds.
     */
    public static DirectoryModuleTree named(Path directory, List<String> modules) {
        List<String> files = new ArrayList<>(modules);
        for (String input : List.of(ModuleOrder.ORDER_FILE, BuiltinFiles.BUILTIN, BuiltinFiles.BUILTIN_MODINFO)) {
            if (Files.isRegularFile(directory.resolve(input))) {
                files.add(input);
            }
        }
        return new DirectoryModuleTree(directory, files);
    }

    /** Links are followed (depmod stats what they point to); a loop of them ends at {@link #MAX_DEPTH}. */
    private static void list(Path directory, String prefix, Predicate<String> skipped, List<String> files, int depth)
            throws IOException {
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(directory)) {
            for (Path entry : entries) {
                String name = entry.getFileName().toString();
                if (skipped.test(name)) {
                    continue;
                }
                BasicFileAttributes attributes;
                try {
                    attributes = Files.readAttributes(entry, BasicFileAttributes.class);
                } catch (IOException unreadable) {
                    continue;
                }
                if (attributes.isRegularFile()) {
                    files.add(prefix + name);
                } else if (attributes.isDirectory() && depth < MAX_DEPTH) {
                    try {
                        list(entry, prefix + name + "/", skipped, files, depth + 1);
                    } catch (IOException unreadable) {
                        // depmod goes on without a directory it cannot open
                    }
                }
            }
        }
    }

    public Path directory() {
        return directory;
    }

    @Override
    public List<String> files() {
        return files;
    }

    @Override
    public ByteBuffer read(String path) throws IOException {
        try (FileChannel channel = FileChannel.open(directory.resolve(path), StandardOpenOption.READ)) {
            long size = channel.size();
            if (size >= MAP_THRESHOLD && directory.getFileSystem() == FileSystems.getDefault()) {
                return channel.map(FileChannel.MapMode.READ_ONLY, 0, size);
            }
            ByteBuffer contents = ByteBuffer.allocate((int) size);
            while (contents.hasRemaining() && channel.read(contents) >= 0) {
                // a file that shrinks while read gives what it had
            }
            return contents.flip();
        }
    }
}
