package org.kmodpack.packer;

import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.kmodpack.modules.KmodProblem;

/**
 * What the packer packs: a module tree and its kernel version. The tree is read through java.nio, so any file
 * system provider serves (the default one, Jimfs, an archive's); {@link #directory} finds the tree in a
 * directory the way users name it, {@link ArchiveTree} reads one out of a kernel package or a tar archive.
 * A source that is not one directory (a merged view of several roots) implements this interface.
 */
public interface TreeSource extends Closeable {
    /** The module directory (lib/modules/KVER): every entry of the bundle lies below it. */
    Path moduleDirectory();

    /** The kernel version the bundle records. */
    String kernelVersion();

    /**
     * Files the packer takes at the top of the module directory in place of the directory's own of the same name
     * (none there, or stale ones): the index files our depmod made in memory for a tree without modules.dep.
     * Name: the file to read it from. None for a directory or an archive, whose trees hold their index.
     */
    default Map<String, Path> addedFiles() {
        return Map.of();
    }

    /** Where the packer reads the file at {@code relative} in the module directory: an added file, or the tree's. */
    default Path resolve(String relative) {
        Path added = addedFiles().get(relative);
        return added != null ? added : moduleDirectory().resolve(relative);
    }

    /** When kmodpack's depmod indexed the tree (it had no modules.dep): the time its index files carry. */
    default Optional<FileTime> indexTime() {
        return Optional.empty();
    }

    /** What depmod reported while it indexed the tree (broken modules, packed all the same), as kmod reports it. */
    default List<KmodProblem> indexProblems() {
        return List.of();
    }

    /** A System.map the source carries beside its module tree: its name as the source gives it, and its bytes. */
    record SystemMap(String name, byte[] contents) {
    }

    /**
     * The kernel's System.map that came with the tree (a kernel package's boot/System.map-KVER), whose exported
     * symbols the packer records when it is given none; empty for a directory.
     */
    default Optional<SystemMap> systemMap() {
        return Optional.empty();
    }

    /** Releases what the source holds (an archive's tree in memory); a directory holds nothing. */
    @Override
    default void close() throws IOException {
    }

    /**
     * The module directory {@code source} names: the directory itself, or a root holding lib/modules/KVER or
     * usr/lib/modules/KVER (an unpacked image package, a chroot, /); {@code kernelVersion} chooses or overrides
     * the version (null: the directory's name, or the only one there is).
     */
    static TreeSource directory(Path source, String kernelVersion) throws IOException {
        return DirectoryTree.locate(source, kernelVersion);
    }

    /**
     * What a user's SOURCE names: a regular file is a kernel package or a tar archive ({@link ArchiveTree#open}),
     * anything else a {@link #directory}, which must hold modules.dep or a module file; without modules.dep, our
     * depmod indexes it in memory ({@link IndexedDirectory}).
     */
    static TreeSource of(Path source, String kernelVersion) throws IOException {
        if (source.toString().isEmpty()) {
            throw new IOException("SOURCE is empty (\"\"); name a module directory, a root holding "
                    + "lib/modules/KVER, a kernel package (.deb) or a tar archive");
        }
        if (Files.isRegularFile(source)) {
            return ArchiveTree.open(source, kernelVersion);
        }
        DirectoryTree directory = DirectoryTree.locate(source, kernelVersion).requireModuleTree();
        return directory.indexed() ? directory : IndexedDirectory.index(directory);
    }
}
