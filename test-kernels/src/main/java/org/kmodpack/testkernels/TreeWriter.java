package org.kmodpack.testkernels;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/** Lays out a {@link TreeSpec} as ROOT/lib/modules/KVER plus ROOT/boot/System.map-KVER, then runs depmod on it. */
final class TreeWriter {
    private final TreeSpec spec;
    private final Path root;
    private final Path moduleDir;
    /** Files whose mode the spec fixes; {@link TreeFinisher} normalises all others. */
    private final Map<Path, Set<PosixFilePermission>> modes = new HashMap<>();

    TreeWriter(TreeSpec spec, Path root) {
        this.spec = spec;
        this.root = root;
        this.moduleDir = moduleDir(root, spec.kernelVersion());
    }

    static Path moduleDir(Path root, String kernelVersion) {
        return root.resolve("lib").resolve("modules").resolve(kernelVersion);
    }

    /** Writes the whole tree; {@code scratch} receives the C sources and objects and may be deleted afterwards. */
    Map<Path, Set<PosixFilePermission>> write(Path scratch) throws IOException {
        Files.createDirectories(moduleDir);
        writeModules(scratch);
        writeLists();
        Path systemMap = writeSystemMap();
        for (TreeEntry entry : spec.extras()) {
            writeExtra(entry);
        }
        Depmod.run(root, spec.kernelVersion(), systemMap);
        return modes;
    }

    private void writeModules(Path scratch) throws IOException {
        ModuleCompiler compiler = new ModuleCompiler(spec);
        List<ModuleSpec> modules = spec.modules();
        for (int i = 0; i < modules.size(); i++) {
            ModuleSpec module = modules.get(i);
            // Numbered work directories: two modules of one name (kernel/ and updates/) must not share one.
            Path built = compiler.compile(module, scratch.resolve(String.format("%03d", i)));
            Path target = moduleDir.resolve(module.relativePath());
            Files.createDirectories(target.getParent());
            Files.move(built, target);
        }
    }

    /** The lists kbuild's modules_install writes and depmod reads. */
    private void writeLists() throws IOException {
        String order = spec.modules().stream()
                .filter(module -> module.stem().startsWith("kernel/"))
                .map(module -> module.uncompressedPath() + "\n")
                .collect(Collectors.joining());
        Files.writeString(moduleDir.resolve("modules.order"), order, StandardCharsets.UTF_8);
        String builtin = spec.builtins().stream().map(module -> module.path() + "\n").collect(Collectors.joining());
        Files.writeString(moduleDir.resolve("modules.builtin"), builtin, StandardCharsets.UTF_8);
        StringBuilder modinfo = new StringBuilder();
        for (BuiltinModule module : spec.builtins()) {
            for (String entry : module.info()) {
                modinfo.append(module.modname()).append('.').append(entry).append('\0');
            }
        }
        Files.writeString(moduleDir.resolve("modules.builtin.modinfo"), modinfo, StandardCharsets.UTF_8);
    }

    /** What the kernel image exports, in System.map's format, so that depmod -e can report unresolved symbols. */
    private Path writeSystemMap() throws IOException {
        StringBuilder map = new StringBuilder();
        List<String> symbols = spec.kernelSymbols();
        for (int i = 0; i < symbols.size(); i++) {
            map.append(String.format("ffffffff81%06x R __ksymtab_%s%n", i * 16, symbols.get(i)));
        }
        Path systemMap = root.resolve("boot").resolve("System.map-" + spec.kernelVersion());
        Files.createDirectories(systemMap.getParent());
        Files.writeString(systemMap, map, StandardCharsets.UTF_8);
        return systemMap;
    }

    private void writeExtra(TreeEntry entry) throws IOException {
        Path path = moduleDir.resolve(entry.path());
        Files.createDirectories(path.getParent());
        // Java 17 has no pattern switch; the interface is sealed, so this chain is exhaustive.
        if (entry instanceof TreeEntry.File file) {
            Files.writeString(path, file.content(), StandardCharsets.UTF_8);
            modes.put(path, TreeFinisher.permissions(file.mode()));
        } else if (entry instanceof TreeEntry.Symlink link) {
            Files.createSymbolicLink(path, Path.of(link.target()));
        } else if (entry instanceof TreeEntry.HardLink link) {
            Files.createLink(path, moduleDir.resolve(link.existing()));
        } else {
            Files.createDirectories(path);
        }
    }
}
