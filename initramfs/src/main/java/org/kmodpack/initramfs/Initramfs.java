package org.kmodpack.initramfs;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import org.kmodpack.modules.DepmodBin;
import org.kmodpack.modules.FirmwareFiles;
import org.kmodpack.modules.ModuleNames;
import org.kmodpack.modules.Modprobe;
import org.kmodpack.modules.ModuleIndex;
import org.kmodpack.modules.ProbePlan;
import org.kmodpack.modules.ProbeStep;
import org.kmodpack.reader.Bundle;
import org.kmodpack.reader.Entry;
import org.kmodpack.reader.Progress;

/**
 * The modules a set of names needs (dependencies and softdeps, found as modprobe finds them) as the file tree
 * of an initramfs: lib/modules/KVER/ with those modules and depmod's files restricted to them (modules.dep,
 * modules.alias, modules.symbols and their .bin tries), plus the files that describe the kernel itself
 * (modules.builtin*, modules.softdep) whole, so kmod's or busybox's modprobe inside the initramfs finds exactly
 * what it would find in the full tree for those names. No depmod is needed. When the bundle carries firmware,
 * the files those modules ask for in their firmware= fields go to lib/firmware/, as dracut puts them.
 */
public final class Initramfs {
    /** Where the kernel's firmware loader looks, relative to the initramfs root. */
    private static final String FIRMWARE_DIRECTORY = "lib/firmware/";
    /** Files about the kernel, not about modules: copied whole when the bundle has them. */
    private static final List<String> WHOLE = List.of("modules.builtin", "modules.builtin.bin",
            "modules.builtin.alias.bin", "modules.builtin.modinfo", "modules.softdep");

    private final Bundle bundle;
    private final ModuleIndex index;
    private final Modprobe modprobe;

    public Initramfs(Bundle bundle, ModuleIndex index, Modprobe modprobe) {
        this.bundle = bundle;
        this.index = index;
        this.modprobe = modprobe;
    }

    /**
     * The module names the given names need, in load order, without duplicates; a name that is neither a
     * module nor an alias fails, naming it.
     */
    public List<String> closure(List<String> names) throws IOException {
        Set<String> modules = new LinkedHashSet<>();
        for (String name : names) {
            Optional<List<ProbePlan>> plans = modprobe.probePlans(name, null, false);
            if (plans.isEmpty()) {
                throw new IOException(name + ": no module or alias of that name in " + bundle
                        + " (kmodpack modprobe BUNDLE -R NAME lists what an alias resolves to)");
            }
            for (ProbePlan plan : plans.get()) {
                for (ProbeStep step : plan.steps()) {
                    if (step.kind() == ProbeStep.Kind.INSMOD) {
                        modules.add(step.module());
                    }
                }
            }
        }
        return List.copyOf(modules);
    }

    /**
     * Writes the tree holding these modules (and their firmware) as a newc cpio; the same bundle and modules give
     * the same bytes. Returns the number of files and symlinks written. {@code progress} hears after each file
     * gone into the archive (and through whatever compresses {@code out}).
     */
    public int write(List<String> modules, OutputStream out, Progress progress) throws IOException {
        String base = "lib/modules/" + index.kernelVersion() + "/";
        Map<String, byte[]> files = new TreeMap<>();
        Set<String> paths = new LinkedHashSet<>();
        for (String module : modules) {
            String path = index.module(module).orElseThrow(() -> new IOException(module + ": not in the "
                    + "modules.dep of " + bundle)).path();
            paths.add(path);
            files.put(base + path, bundle.readAllBytes(bundle.get(path)));
        }
        Set<String> names = new LinkedHashSet<>(modules);
        DepmodFiles depmod = restrictedDepmodFiles(paths, names);
        depmod.files().forEach((name, bytes) -> files.put(base + name, bytes));
        for (String name : WHOLE) {
            Optional<Entry> entry = bundle.find(name);
            if (entry.isPresent()) {
                files.put(base + name, bundle.readAllBytes(entry.get()));
            }
        }
        Map<String, String> links = new TreeMap<>();
        for (String path : firmwareOf(names)) {
            Entry entry = bundle.findFirmware(path).orElseThrow();
            if (entry.isSymlink()) {
                links.put(FIRMWARE_DIRECTORY + path, entry.symlinkTarget());
            } else {
                files.put(FIRMWARE_DIRECTORY + path, bundle.readAllBytes(entry));
            }
        }
        long bytesTotal = files.values().stream().mapToLong(bytes -> bytes.length).sum();
        long filesDone = 0;
        long bytesDone = 0;
        try (NewcArchive archive = new NewcArchive(out)) {
            for (Map.Entry<String, byte[]> file : files.entrySet()) {
                archive.file(file.getKey(), file.getValue());
                bytesDone += file.getValue().length;
                progress.update(++filesDone, files.size(), bytesDone, bytesTotal);
            }
            for (Map.Entry<String, String> link : links.entrySet()) {
                archive.symlink(link.getKey(), link.getValue());
            }
        }
        return files.size() + links.size();
    }

    /** The bundle's firmware files and symlinks the modules {@code names} ask for (none without firmware). */
    private List<String> firmwareOf(Set<String> names) throws IOException {
        List<String> paths = new ArrayList<>();
        if (bundle.hasFirmware()) {
            FirmwareFiles.wants(bundle).files().forEach((path, modules) -> {
                if (modules.stream().anyMatch(names::contains)) {
                    paths.add(path);
                }
            });
        }
        return paths;
    }

    private record DepmodFiles(Map<String, byte[]> files) {
    }

    /** modules.dep, .alias, .symbols (text and .bin) of the held modules; priorities are modules.dep lines. */
    private DepmodFiles restrictedDepmodFiles(Set<String> paths, Set<String> names) throws IOException {
        Map<String, byte[]> out = new LinkedHashMap<>();
        List<String> depLines = lines("modules.dep");
        Map<String, Integer> priority = new LinkedHashMap<>();
        StringBuilder dep = new StringBuilder();
        DepmodBin.Writer depBin = new DepmodBin.Writer();
        for (int i = 0; i < depLines.size(); i++) {
            String line = depLines.get(i);
            String path = line.substring(0, line.indexOf(':'));
            if (!paths.contains(path)) {
                continue;
            }
            String name = ModuleNames.fromPath(path);
            priority.put(name, i);
            dep.append(line).append('\n');
            depBin.insert(name, line, i);
        }
        out.put("modules.dep", bytes(dep));
        out.put("modules.dep.bin", depBin.toBytes());
        for (String kind : List.of("alias", "symbols")) {
            StringBuilder text = new StringBuilder();
            DepmodBin.Writer bin = new DepmodBin.Writer();
            List<String> all = bundle.find("modules." + kind).isPresent() ? lines("modules." + kind) : List.of();
            for (String line : all) {
                String[] words = line.split(" ");
                if (!line.startsWith("alias ") || words.length != 3 || !names.contains(words[2])) {
                    if (line.startsWith("#")) {
                        text.append(line).append('\n');
                    }
                    continue;
                }
                text.append(line).append('\n');
                // depmod leaves an alias it cannot normalize out of modules.alias.bin, not out of modules.alias.
                Optional<String> key = kind.equals("alias") ? ModuleNames.underscores(words[1]) : Optional.of(words[1]);
                if (key.isPresent()) {
                    bin.insert(key.get(), words[2], priority.get(words[2]));
                }
            }
            out.put("modules." + kind, bytes(text));
            out.put("modules." + kind + ".bin", bin.toBytes());
        }
        return new DepmodFiles(out);
    }

    private List<String> lines(String name) throws IOException {
        try {
            String text = new String(bundle.readAllBytes(bundle.get(name)), StandardCharsets.UTF_8);
            List<String> lines = new ArrayList<>(List.of(text.split("\n")));
            lines.removeIf(String::isEmpty);
            return lines;
        } catch (NoSuchFileException e) {
            throw new IOException(bundle + " has no " + name + ": pack a tree depmod has run on", e);
        }
    }

    private static byte[] bytes(StringBuilder text) {
        return text.toString().getBytes(StandardCharsets.UTF_8);
    }
}
