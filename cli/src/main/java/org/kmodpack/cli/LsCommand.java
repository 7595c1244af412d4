package org.kmodpack.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.kmodpack.reader.Bundle;
import org.kmodpack.reader.Entry;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "ls", mixinStandardHelpOptions = true,
        description = "List a directory of a bundle (default: the module directory itself), or describe one entry.",
        footer = {"", "Example:", "  kmodpack ls -l modules-6.1.0-28-amd64.kpack kernel/fs/btrfs"})
final class LsCommand implements Callable<Integer> {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss", Locale.ROOT)
            .withZone(ZoneOffset.UTC);

    @Spec
    CommandSpec spec;

    @Option(names = "-l", description = "Long format: mode, links, uid, gid, size, mtime (UTC), name -> target.")
    boolean longFormat;

    @Parameters(index = "0", paramLabel = "BUNDLE")
    String bundleLocation;

    @Mixin
    TrustOptions trust;

    @Mixin
    LayerOptions layers;

    @Parameters(index = "1", paramLabel = "PATH", defaultValue = "", description = "Path inside the bundle.")
    String path;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        try (LayerOptions.Opened opened = layers.open(bundleLocation, trust::open)) {
            Bundle bundle = opened.bundle();
            Entry entry = bundle.get(path);
            List<Entry> shown = entry.isDirectory() ? bundle.list(entry) : List.of(entry);
            for (Entry e : shown) {
                String layer = opened.layerOf(e.path());
                out.println((longFormat ? longLine(e, entry.isDirectory() ? e.name() : e.path()) : e.name())
                        + (layer == null ? "" : "\t(from layer " + layer + ")"));
            }
        }
        out.flush();
        return 0;
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
