package org.kmodpack.packer;

import com.google.common.jimfs.Configuration;
import com.google.common.jimfs.Jimfs;
import java.io.IOException;
import java.nio.file.FileSystem;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.kmodpack.modules.Depmod;
import org.kmodpack.modules.DepmodCycleException;
import org.kmodpack.modules.DepmodOptions;
import org.kmodpack.modules.DirectoryModuleTree;
import org.kmodpack.modules.KmodProblem;

/**
 * A module directory without modules.dep, indexed by our depmod as kmod's {@code depmod -b} indexes it with no
 * depmod.d configuration: the directory's own entries, and the index files made in memory, never written into
 * the user's tree. They carry mode 0644 and the time an archive's would: SOURCE_DATE_EPOCH when it is set, else
 * the newest modification time in the directory.
 */
final class IndexedDirectory implements TreeSource {
    private final TreeSource directory;
    private final FileSystem memory;
    private final Map<String, Path> added;
    private final FileTime indexTime;
    private final List<KmodProblem> problems;

    private IndexedDirectory(TreeSource directory, FileSystem memory, Map<String, Path> added, FileTime indexTime,
            List<KmodProblem> problems) {
        this.directory = directory;
        this.memory = memory;
        this.added = added;
        this.indexTime = indexTime;
        this.problems = problems;
    }

    static IndexedDirectory index(TreeSource directory) throws IOException {
        Path moduleDirectory = directory.moduleDirectory();
        DepmodOptions options = DepmodOptions.defaults(directory.kernelVersion());
        List<KmodProblem> problems = new ArrayList<>();
        Map<String, byte[]> files;
        try {
            files = Depmod.run(DirectoryModuleTree.scan(moduleDirectory, options.config()::excludes), options,
                    problems::add);
        } catch (DepmodCycleException cycle) {
            throw new IOException(moduleDirectory + ": " + cycle.modules() + " modules depend on each other in cycles ("
                    + String.join("; ", cycle.cycles()) + "); depmod cannot index it");
        }
        FileTime time = indexTime(newest(moduleDirectory));
        FileSystem memory = Jimfs.newFileSystem(Configuration.unix().toBuilder()
                .setAttributeViews("basic", "owner", "posix").build());
        Map<String, Path> added = new LinkedHashMap<>();
        try {
            for (Map.Entry<String, byte[]> file : files.entrySet()) {
                Path path = memory.getPath("/" + file.getKey());
                Files.write(path, file.getValue());
                Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rw-r--r--"));
                Files.setLastModifiedTime(path, time);
                added.put(file.getKey(), path);
            }
        } catch (IOException | RuntimeException failed) {
            memory.close();
            throw failed;
        }
        return new IndexedDirectory(directory, memory, Collections.unmodifiableMap(added), time,
                List.copyOf(problems));
    }

    /** The time index files made by kmodpack carry: SOURCE_DATE_EPOCH when it is set, else {@code newest}. */
    static FileTime indexTime(FileTime newest) {
        String epoch = System.getenv("SOURCE_DATE_EPOCH");
        if (epoch == null || epoch.isBlank()) {
            return newest;
        }
        try {
            return FileTime.from(java.time.Instant.ofEpochSecond(Long.parseLong(epoch.strip())));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("SOURCE_DATE_EPOCH is '" + epoch + "', not a number of seconds");
        }
    }

    /** The newest modification time in {@code directory}, itself included, links not followed. */
    private static FileTime newest(Path directory) throws IOException {
        FileTime[] newest = {FileTime.fromMillis(0)};
        Files.walkFileTree(directory, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attributes) {
                return keep(attributes.lastModifiedTime());
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attributes) {
                return keep(attributes.lastModifiedTime());
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException unreadable) {
                return FileVisitResult.CONTINUE;
            }

            private FileVisitResult keep(FileTime time) {
                if (time.compareTo(newest[0]) > 0) {
                    newest[0] = time;
                }
                return FileVisitResult.CONTINUE;
            }
        });
        return newest[0];
    }

    @Override
    public Path moduleDirectory() {
        return directory.moduleDirectory();
    }

    @Override
    public String kernelVersion() {
        return directory.kernelVersion();
    }

    @Override
    public Optional<FileTime> indexTime() {
        return Optional.of(indexTime);
    }

    /** Drops the index files held in memory; the directory itself was never opened for writing. */
    @Override
    public void close() throws IOException {
        memory.close();
    }

    @Override
    public Map<String, Path> addedFiles() {
        return added;
    }

    @Override
    public List<KmodProblem> indexProblems() {
        return problems;
    }
}
