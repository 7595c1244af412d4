package org.kmodpack.cli;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.function.Consumer;
import org.kmodpack.modules.Modprobe;
import org.kmodpack.modules.ModuleIndex;
import org.kmodpack.modules.ProbeStep;
import org.kmodpack.reader.Bundle;

/**
 * What a mount of a remote bundle fetches in the background once the tree answers, so that coldplug finds the
 * blocks it reads in the block cache instead of waiting on round trips. One block at a time, and only once no
 * file has been read through the mount for a moment: reads go first, on connections of their own, and never queue
 * behind a prefetch. Each block is checked against its signed SHA-256 as any read's is; a failure stops the
 * prefetch and is noted, and reads then fetch what they need as without it.
 */
final class Prefetch implements Runnable {
    /** {@code --prefetch}: which blocks. */
    enum Mode {
        /** kmod's index files and the modules (with what modprobe loads with them) this machine's devices need. */
        DEVICES,
        /** Every block: the bundle is then served from the cache. */
        ALL,
        /** kmod's index files only. */
        INDEX,
        /** Nothing. */
        NONE;

        static Mode of(String word) {
            for (Mode mode : values()) {
                if (mode.name().toLowerCase(Locale.ROOT).equals(word)) {
                    return mode;
                }
            }
            throw new IllegalArgumentException("'" + word
                    + "' is not what to prefetch: give devices, all, index or none");
        }
    }

    /** The files of the module directory libkmod opens to look up and load a module (modules.softdep: as config). */
    static final List<String> KMOD_INDEX_FILES = List.of("modules.dep.bin", "modules.alias.bin",
            "modules.symbols.bin", "modules.builtin.bin", "modules.builtin.alias.bin", "modules.builtin.modinfo",
            "modules.softdep");

    private static final Path SYS = Path.of("/sys");

    /** How long no file must have been read through the mount before the next block is fetched: reads go first. */
    private static final long QUIET_NANOS = 50_000_000;

    private final Bundle bundle;
    private final Mode mode;
    private final Consumer<String> note;

    private Prefetch(Bundle bundle, Mode mode, Consumer<String> note) {
        this.bundle = bundle;
        this.mode = mode;
        this.note = note;
    }

    /** Starts the prefetch of a remote bundle; a file's blocks are a page-cache read away, so nothing for one. */
    static void start(Bundle bundle, Mode mode, Consumer<String> note) {
        if (!bundle.isRemote() || mode == Mode.NONE) {
            return;
        }
        Thread thread = new Thread(new Prefetch(bundle, mode, note), "kmodpack-prefetch");
        thread.setDaemon(true);
        thread.setPriority(Thread.MIN_PRIORITY);
        thread.start();
    }

    @Override
    public void run() {
        long start = System.nanoTime();
        SortedSet<Integer> blocks = new TreeSet<>();
        String what;
        try {
            if (mode == Mode.ALL) {
                for (int block = 0; block < bundle.index().params().blockCount(); block++) {
                    blocks.add(block);
                }
                what = "every block";
            } else {
                for (String file : KMOD_INDEX_FILES) {
                    bundle.find(file).ifPresent(entry -> bundle.blocksHolding(entry).forEach(blocks::add));
                }
                what = "kmod's index files";
                if (mode == Mode.DEVICES) {
                    List<String> modules = deviceModules(bundle);
                    for (String path : modules) {
                        bundle.find(path).ifPresent(entry -> bundle.blocksHolding(entry).forEach(blocks::add));
                    }
                    what += " and the " + modules.size() + " module files this machine's devices need";
                }
            }
            for (int block : blocks) {
                while (bundle.nanosSinceLastRead() < QUIET_NANOS) {
                    Thread.sleep(QUIET_NANOS / 1_000_000);
                }
                bundle.fetchBlock(block);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        } catch (IOException | RuntimeException e) {
            note.accept("prefetch stopped, blocks are fetched when read: " + e.getMessage());
            return;
        }
        note.accept(String.format(Locale.ROOT, "prefetched %d blocks (%s) in %.1f s", blocks.size(), what,
                (System.nanoTime() - start) / 1e9));
    }

    /**
     * The module files, relative to the module directory, that {@code modprobe} loads for the modaliases of this
     * machine's devices, as udev's coldplug asks for them: each module an alias resolves to, its modules.dep
     * dependencies and its softdeps, with /etc/modprobe.d applied.
     */
    private static List<String> deviceModules(Bundle bundle) throws IOException {
        ModuleIndex index = ModuleIndex.of(bundle);
        String moduleDir = index.moduleDirectory("");
        Modprobe modprobe = index.modprobe(index.loadConfig(null, moduleDir, problem -> { }), moduleDir,
                problem -> { });
        SortedSet<String> paths = new TreeSet<>();
        for (String alias : modaliases()) {
            Optional<List<ProbeStep>> steps = modprobe.showDepends(alias, null, false);
            steps.ifPresent(list -> list.stream().filter(step -> step.kind() == ProbeStep.Kind.INSMOD)
                    .forEach(step -> paths.add(step.path().substring(moduleDir.length() + 1))));
        }
        return List.copyOf(paths);
    }

    /** The modalias of every device under /sys/devices and /sys/bus/STAR/devices (links to the same), each once. */
    private static SortedSet<String> modaliases() throws IOException {
        SortedSet<String> found = new TreeSet<>();
        Files.walkFileTree(SYS.resolve("devices"), new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attributes) {
                if (file.getFileName().toString().equals("modalias")) {
                    read(file).ifPresent(found::add);
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException e) {
                return FileVisitResult.CONTINUE;
            }
        });
        Path buses = SYS.resolve("bus");
        if (Files.isDirectory(buses)) {
            try (DirectoryStream<Path> bus = Files.newDirectoryStream(buses)) {
                for (Path each : bus) {
                    Path devices = each.resolve("devices");
                    if (Files.isDirectory(devices)) {
                        try (DirectoryStream<Path> device = Files.newDirectoryStream(devices)) {
                            device.forEach(d -> read(d.resolve("modalias")).ifPresent(found::add));
                        }
                    }
                }
            }
        }
        return found;
    }

    /** A modalias file's one line; empty for a device without one or that cannot be read. */
    private static Optional<String> read(Path modalias) {
        try {
            String alias = Files.readString(modalias).trim();
            return alias.isEmpty() ? Optional.empty() : Optional.of(alias);
        } catch (IOException e) {
            return Optional.empty();
        }
    }
}
