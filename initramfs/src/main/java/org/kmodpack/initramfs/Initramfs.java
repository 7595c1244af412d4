package org.kmodpack.initramfs;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import org.kmodpack.modules.ClosureDepmodFiles;
import org.kmodpack.modules.FirmwareFiles;
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
            "modules.builtin.alias.bin", "modules.builtin.modinfo");
    /** Copied whole too, from the module index, which holds its text. */
    private static final String SOFTDEP = "modules.softdep";

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
        Map<String, byte[]> moduleFiles = new LinkedHashMap<>();
        for (String module : modules) {
            String path = index.module(module).orElseThrow(() -> new IOException(module + ": not in the "
                    + "modules.dep of " + bundle)).path();
            byte[] bytes = bundle.readAllBytes(bundle.get(path));
            moduleFiles.put(module, bytes);
            files.put(base + path, bytes);
        }
        Set<String> names = new LinkedHashSet<>(modules);
        ClosureDepmodFiles.write(index, moduleFiles).forEach((name, bytes) -> files.put(base + name, bytes));
        for (String name : WHOLE) {
            Optional<Entry> entry = bundle.find(name);
            if (entry.isPresent()) {
                files.put(base + name, bundle.readAllBytes(entry.get()));
            }
        }
        if (bundle.find(SOFTDEP).isPresent()) {
            files.put(base + SOFTDEP, index.softdepText().getBytes(StandardCharsets.UTF_8));
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
}
