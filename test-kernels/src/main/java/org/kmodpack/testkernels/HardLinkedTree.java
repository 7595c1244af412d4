package org.kmodpack.testkernels;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * A copy of a module directory made of hard links (cheap even for a 400 MB kernel), symlinks kept as links,
 * without depmod's index files: for running kmod's depmod and ours on the same tree. depmod replaces files by
 * renaming, so writing the copy's index files never touches the original's.
 */
public final class HardLinkedTree {
    private HardLinkedTree() {
    }

    /** Copies {@code moduleDir} to ROOT/lib/modules/KVER and returns that directory. */
    public static Path copy(Path moduleDir, Path root, String kernelVersion) throws IOException {
        Path target = root.resolve("lib/modules").resolve(kernelVersion);
        Files.walkFileTree(moduleDir, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attributes) throws IOException {
                Files.createDirectories(target.resolve(moduleDir.relativize(dir).toString()));
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attributes) throws IOException {
                Path copy = target.resolve(moduleDir.relativize(file).toString());
                String name = file.getFileName().toString();
                if (attributes.isSymbolicLink()) {
                    Files.createSymbolicLink(copy, Files.readSymbolicLink(file));
                } else if (attributes.isRegularFile() && !Depmod.OUTPUTS.contains(name)
                        && !name.equals("modules.weakdep")) {
                    Files.createLink(copy, file);
                }
                return FileVisitResult.CONTINUE;
            }
        });
        return target;
    }
}
