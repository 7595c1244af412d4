package org.kmodpack.packer;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import org.kmodpack.format.LayerSection;
import org.kmodpack.format.Names;
import org.kmodpack.modules.ModuleNames;

/**
 * A partial module directory packed as a layer: modules in subdirectories (updates/dkms/nvidia.ko, extra/zfs/…),
 * optionally its own modules.order and a depmod.d folder of *.conf files. Those two go into the LAYER section,
 * not the tree: the union's modules.order and depmod configuration are made from every layer's. Any other file
 * of the module directory itself (modules.dep, System.map…) would replace the base's and is refused.
 */
record LayerDirectory(TreeSource tree, LayerSection section) {
    static final String ORDER_FILE = "modules.order";
    static final String CONFIG_FOLDER = "depmod.d";

    static LayerDirectory read(Path source, String kernelVersion) throws IOException {
        if (kernelVersion == null) {
            throw new IOException(source + ": a layer needs the kernel version of the base it goes over; give "
                    + "--kernel-version KVER");
        }
        if (!Files.isDirectory(source)) {
            throw new IOException(source + ": no such directory; name the directory that holds the layer's "
                    + "updates/ or extra/ modules");
        }
        List<String> modules = new ArrayList<>();
        byte[] order = null;
        List<LayerSection.ConfigFile> config = new ArrayList<>();
        for (Path child : sorted(source)) {
            String name = child.getFileName().toString();
            boolean directory = Files.isDirectory(child, LinkOption.NOFOLLOW_LINKS);
            if (name.equals(ORDER_FILE) && Files.isRegularFile(child, LinkOption.NOFOLLOW_LINKS)) {
                order = Files.readAllBytes(child);
            } else if (name.equals(CONFIG_FOLDER) && directory) {
                config.addAll(configFiles(child));
            } else if (!directory) {
                throw new IOException(child + ": a layer holds modules in folders such as updates/ or extra/; a "
                        + "file of the module directory itself would replace the base's: remove it");
            } else {
                modules.addAll(modulesUnder(source, child));
            }
        }
        if (modules.isEmpty()) {
            throw new IOException(source + ": holds no modules (*.ko, *.ko.xz, *.ko.zst below a folder such as "
                    + "updates/ or extra/); nothing to pack as a layer");
        }
        if (order == null) {
            modules.sort((a, b) -> Names.compare(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8)));
            StringBuilder lines = new StringBuilder();
            for (String module : modules) {
                lines.append(ModuleNames.uncompressedPath(module)).append('\n');
            }
            order = lines.toString().getBytes(StandardCharsets.UTF_8);
        }
        TreeSource tree = new DirectoryTree(source, kernelVersion);
        return new LayerDirectory(tree, new LayerSection(order, config));
    }

    /** Whether the scan leaves {@code path} out of the layer's tree: it went into the LAYER section. */
    static boolean inSection(String path) {
        return path.equals(ORDER_FILE) || path.equals(CONFIG_FOLDER);
    }

    private static List<LayerSection.ConfigFile> configFiles(Path folder) throws IOException {
        List<LayerSection.ConfigFile> files = new ArrayList<>();
        for (Path file : sorted(folder)) {
            String name = file.getFileName().toString();
            if (!LayerSection.isConfigName(name) || !Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
                throw new IOException(file + ": depmod reads only regular *.conf files from a depmod.d folder; "
                        + "remove it or rename it NAME.conf");
            }
            files.add(new LayerSection.ConfigFile(name, Files.readString(file, StandardCharsets.UTF_8)));
        }
        return files;
    }

    /** The module files below {@code folder}, as paths relative to the layer, without following links. */
    private static List<String> modulesUnder(Path source, Path folder) throws IOException {
        List<String> modules = new ArrayList<>();
        Deque<Path> pending = new ArrayDeque<>(List.of(folder));
        while (!pending.isEmpty()) {
            for (Path child : sorted(pending.poll())) {
                BasicFileAttributes attributes = Files.readAttributes(child, BasicFileAttributes.class,
                        LinkOption.NOFOLLOW_LINKS);
                String path = source.relativize(child).toString().replace(child.getFileSystem().getSeparator(), "/");
                if (attributes.isDirectory()) {
                    pending.add(child);
                } else if (ModuleNames.isModuleFile(path)) {
                    modules.add(path);
                }
            }
        }
        return modules;
    }

    private static List<Path> sorted(Path folder) throws IOException {
        List<Path> children = new ArrayList<>();
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(folder)) {
            stream.forEach(children::add);
        }
        children.sort((a, b) -> Names.compare(a.getFileName().toString().getBytes(StandardCharsets.UTF_8),
                b.getFileName().toString().getBytes(StandardCharsets.UTF_8)));
        return children;
    }
}
