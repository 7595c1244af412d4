package org.kmodpack.modules;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileVisitOption;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.function.Predicate;

/** A module directory on disk, links followed as depmod follows them; files are read as mappings, not copies. */
public final class DirectoryModuleTree implements ModuleTree {
    /** Below a page a plain read costs less than a mapping; above, a mapping saves copying what is not read. */
    private static final long MAP_THRESHOLD = 4096;

    private final Path directory;
    private final List<String> files;

    private DirectoryModuleTree(Path directory, List<String> files) {
        this.directory = directory;
        this.files = List.copyOf(files);
    }

    /**
     * Lists the regular files under {@code directory}, not entering (nor listing) entries whose name
     * {@code skipped} accepts, such as depmod's excluded directories ({@link DepmodConfig#excludes}).
     * Entries that cannot be read are left out, as depmod leaves them out.
     */
    public static DirectoryModuleTree scan(Path directory, Predicate<String> skipped) throws IOException {
        if (!Files.readAttributes(directory, BasicFileAttributes.class).isDirectory()) {
            throw new NotDirectoryException(directory.toString());
        }
        List<String> files = new ArrayList<>();
        Files.walkFileTree(directory, EnumSet.of(FileVisitOption.FOLLOW_LINKS), Integer.MAX_VALUE,
                new SimpleFileVisitor<>() {
                    @Override
                    public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attributes) {
                        return !dir.equals(directory) && skipped.test(dir.getFileName().toString())
                                ? FileVisitResult.SKIP_SUBTREE : FileVisitResult.CONTINUE;
                    }

                    @Override
                    public FileVisitResult visitFile(Path file, BasicFileAttributes attributes) {
                        if (attributes.isRegularFile() && !skipped.test(file.getFileName().toString())) {
                            files.add(relative(directory, file));
                        }
                        return FileVisitResult.CONTINUE;
                    }

                    @Override
                    public FileVisitResult visitFileFailed(Path file, IOException failure) {
                        return FileVisitResult.CONTINUE;
                    }
                });
        return new DirectoryModuleTree(directory, files);
    }

    private static String relative(Path directory, Path file) {
        return directory.relativize(file).toString().replace(file.getFileSystem().getSeparator(), "/");
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
            if (size >= MAP_THRESHOLD) {
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
