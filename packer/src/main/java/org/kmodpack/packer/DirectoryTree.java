package org.kmodpack.packer;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import org.kmodpack.modules.ModuleNames;

/**
 * A module directory on a file system, found in what the user named: the module directory itself, or a root
 * holding lib/modules/KVER or usr/lib/modules/KVER (an unpacked image package, a chroot, or /).
 */
record DirectoryTree(Path moduleDirectory, String kernelVersion) implements TreeSource {

    static DirectoryTree locate(Path source, String kernelVersion) throws IOException {
        if (!Files.isDirectory(source)) {
            throw new IOException(source + ": no such directory; name a module directory such as "
                    + "/lib/modules/$(uname -r), or a root that holds lib/modules/KVER");
        }
        for (String modules : new String[] {"lib/modules", "usr/lib/modules"}) {
            Path parent = source.resolve(modules);
            if (Files.isDirectory(parent)) {
                return inModulesDirectory(source, parent, kernelVersion);
            }
        }
        Path name = source.toAbsolutePath().normalize().getFileName();
        return new DirectoryTree(source, kernelVersion != null ? kernelVersion : name == null ? "" : name.toString());
    }

    /**
     * A user's SOURCE must be a module tree: packing /etc or a home directory by a slip of the hand must fail
     * before anything is written. (The library packs any tree: the format's test vectors hold no modules.)
     */
    DirectoryTree requireModuleTree() throws IOException {
        Path directory = moduleDirectory;
        if (indexed() || holdsModule(directory)) {
            return this;
        }
        throw new IOException(directory + ": not a module tree (no modules.dep and no module file *.ko, *.ko.xz, "
                + "*.ko.zst or *.ko.gz in it); name a module directory such as /lib/modules/$(uname -r), a root "
                + "holding lib/modules/KVER, a kernel package (.deb) or a tar archive");
    }

    /** Whether depmod's output is there: modules.dep (links followed). */
    boolean indexed() {
        return Files.exists(moduleDirectory.resolve("modules.dep"));
    }

    private static boolean holdsModule(Path directory) throws IOException {
        boolean[] found = {false};
        Files.walkFileTree(directory, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attributes) {
                found[0] = ModuleNames.isModuleFile(file.getFileName().toString());
                return found[0] ? FileVisitResult.TERMINATE : FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException unreadable) {
                return FileVisitResult.CONTINUE;
            }
        });
        return found[0];
    }

    private static DirectoryTree inModulesDirectory(Path source, Path parent, String kernelVersion)
            throws IOException {
        if (kernelVersion != null) {
            Path chosen = parent.resolve(kernelVersion);
            if (!Files.isDirectory(chosen)) {
                throw new IOException(source + ": has no " + parent.relativize(chosen) + " under " + parent);
            }
            return new DirectoryTree(chosen, kernelVersion);
        }
        List<String> versions = new ArrayList<>();
        try (DirectoryStream<Path> children = Files.newDirectoryStream(parent, Files::isDirectory)) {
            children.forEach(child -> versions.add(child.getFileName().toString()));
        }
        if (versions.size() != 1) {
            versions.sort(null);
            throw new IOException(parent + " holds " + (versions.isEmpty() ? "no kernel version"
                    : "several kernel versions " + versions) + "; choose one with --kernel-version");
        }
        return new DirectoryTree(parent.resolve(versions.get(0)), versions.get(0));
    }
}
