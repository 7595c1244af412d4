package org.kmodpack.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Locale;
import org.kmodpack.fuse.ServedTree;
import org.kmodpack.reader.Entry;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "ls", mixinStandardHelpOptions = true,
        description = {"List a directory of a bundle (default: the module directory itself), or describe one entry.",
            "With -R, every entry below PATH, one full path a line (with -l, in unsquashfs -ll's long format). "
                + "PATH is relative to the module directory, or absolute under /lib/modules/KVER."},
        footer = {"", "Examples:", "  kmodpack ls -l modules-6.1.0-28-amd64.kpack kernel/fs/btrfs",
            "  kmodpack ls -l -R modules-6.1.0-28-amd64.kpack /lib/modules/6.1.0-28-amd64/kernel/fs",
            "  kmodpack ls --json modules-6.1.0-28-amd64.kpack kernel/fs | jq -r '.[].path'"})
final class LsCommand extends Subcommand {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss", Locale.ROOT)
            .withZone(ZoneOffset.UTC);

    @Option(names = "-l", description = "Long format: mode, links, uid, gid, size, mtime (UTC), name -> target.")
    boolean longFormat;

    @Option(names = {"-R", "--recursive"}, description = "Every entry below PATH, as full paths.")
    boolean recursive;

    @Option(names = "--json", description = "A JSON array of the entries, for scripts (schema in the README).")
    boolean json;

    @Option(names = "--firmware", description = "List the bundle's firmware tree (PATH relative to it), each file "
            + "with the modules whose firmware= fields ask for it, then the names they ask for that it lacks "
            + "(with --json: info --json lists those).")
    boolean firmware;

    @Mixin
    BundleArgument bundleArgument;

    @Mixin
    LayerOptions layers;

    @Parameters(index = "1", paramLabel = "PATH", defaultValue = "",
            description = "Path inside the bundle: relative to the module directory, or /lib/modules/KVER/...")
    String path;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = out();
        try (LayerOptions.Opened opened = layers.open(bundleArgument.location,
                bundleArgument.trust.source.cacheDirectoryOrDefault(), bundleArgument.trust::open)) {
            FirmwareListing listing = firmware ? FirmwareListing.of(opened.bundle(), path) : null;
            ServedTree tree = firmware ? ServedTree.firmwareOf(opened.bundle()) : opened.tree();
            Entry entry = firmware ? listing.entry() : find(tree, opened,
                    BundlePaths.relative(opened.base(), bundleArgument.location, path));
            List<Entry> shown = new ArrayList<>();
            if (!entry.isDirectory()) {
                shown.add(entry);
            } else if (recursive) {
                below(tree, entry, shown);
            } else {
                shown.addAll(tree.list(entry));
            }
            boolean fullPaths = recursive || !entry.isDirectory();
            if (json) {
                List<Object> entries = new ArrayList<>();
                for (Entry e : shown) {
                    Map<String, Object> object = jsonEntry(e);
                    if (firmware) {
                        object.put("modules", listing.modulesOf(e));
                    } else if (opened.layerOf(e.path()) != null) {
                        object.put("layer", opened.layerOf(e.path()));
                    }
                    entries.add(object);
                }
                out.println(Json.write(entries));
            } else {
                for (Entry e : shown) {
                    if (out.checkError()) {
                        break;
                    }
                    String name = fullPaths ? e.path() : e.name();
                    String layer = firmware ? null : opened.layerOf(e.path());
                    out.println((longFormat ? longLine(e, name) : name)
                            + (layer == null ? "" : "\t(from layer " + layer + ")")
                            + (firmware ? listing.wantedBy(e) : ""));
                }
                if (firmware) {
                    listing.missingLines().forEach(out::println);
                }
            }
        }
        out.flush();
        return 0;
    }

    private static Entry find(ServedTree tree, LayerOptions.Opened opened, String path) throws IOException {
        return tree.find(path).orElseThrow(() -> new NoSuchFileException(opened.name() + ": " + path, null,
                "no such file or directory in the bundle"));
    }

    /** Depth first, each directory before what it holds, names in byte order: unsquashfs -l's order. */
    private static void below(ServedTree tree, Entry directory, List<Entry> into) throws IOException {
        for (Entry child : tree.list(directory)) {
            into.add(child);
            if (child.isDirectory()) {
                below(tree, child, into);
            }
        }
    }

    private static Map<String, Object> jsonEntry(Entry e) {
        Map<String, Object> object = new LinkedHashMap<>();
        object.put("path", e.path());
        object.put("type", e.isDirectory() ? "directory" : e.isSymlink() ? "symlink" : "file");
        object.put("mode", String.format(Locale.ROOT, "%04o", e.mode() & 07777));
        object.put("links", e.linkCount());
        object.put("uid", e.uid());
        object.put("gid", e.gid());
        object.put("size", e.size());
        object.put("mtime", e.lastModified().toInstant().toString());
        object.put("target", e.symlinkTarget());
        return object;
    }

    private static String longLine(Entry e, String shownName) {
        return String.format(Locale.ROOT, "%s %3d %5d %5d %10d %s %s%s", modeString(e), e.linkCount(), e.uid(),
                e.gid(), e.size(), TIME.format(e.lastModified().toInstant()), shownName,
                e.isSymlink() ? " -> " + e.symlinkTarget() : "");
    }

    static String modeString(Entry e) {
        char type = e.isDirectory() ? 'd' : e.isSymlink() ? 'l' : '-';
        StringBuilder s = new StringBuilder().append(type);
        int mode = e.mode();
        char[] special = {'s', 's', 't'};
        for (int who = 0; who < 3; who++) {
            int bits = (mode >> (6 - 3 * who)) & 7;
            boolean specialBit = (mode & (04000 >> who)) != 0;
            s.append((bits & 4) != 0 ? 'r' : '-').append((bits & 2) != 0 ? 'w' : '-');
            char execute = (bits & 1) != 0 ? 'x' : '-';
            if (specialBit) {
                execute = (bits & 1) != 0 ? special[who] : Character.toUpperCase(special[who]);
            }
            s.append(execute);
        }
        return s.toString();
    }
}
