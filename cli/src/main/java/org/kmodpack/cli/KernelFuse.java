package org.kmodpack.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Consumer;
import org.kmodpack.loader.Kernel;
import org.kmodpack.loader.Loader;
import org.kmodpack.modules.KmodProblem;
import org.kmodpack.modules.Modprobe;
import org.kmodpack.modules.ModuleIndex;
import org.kmodpack.reader.Bundle;

/**
 * The kernel's FUSE, which a mount needs before anything else. Debian builds it as a module, and on a target
 * whose /lib/modules/KVER is the bundle itself, the only copy of fuse.ko is inside the bundle: it is loaded from
 * there through kmodpack's loader, from the bundle the caller opened (its signature already checked), every block
 * of fuse and its dependencies checked against its hash before any byte reaches the kernel.
 */
final class KernelFuse {
    private static final Path FILESYSTEMS = Path.of("/proc/filesystems");
    private static final Path DEV_FUSE = Path.of("/dev/fuse");

    private final Bundle bundle;
    /** Loads fuse from the bundle; null when the kernel had FUSE when prepared. */
    private final Loader loader;
    private final StringWriter steps = new StringWriter();
    private final StringWriter errors = new StringWriter();

    private KernelFuse(Bundle bundle, boolean needed) throws IOException {
        this.bundle = bundle;
        this.loader = needed ? loader() : null;
    }

    /** Whether the running kernel has FUSE (built in or loaded): /proc/filesystems lists "fuse". */
    static boolean present() throws IOException {
        return Files.readAllLines(FILESYSTEMS).stream().anyMatch(line -> line.endsWith("\tfuse"));
    }

    /**
     * What loading fuse from {@code bundle} needs, made while the whole bundle is still being checked (the mount
     * waits for that check, so this is off its path): the module index and kmod's configuration read, each
     * block as it is read checked against its hash. Nothing when the kernel has FUSE. Fails with one line naming
     * the bundle when the bundle has no fuse module.
     */
    static KernelFuse prepare(Bundle bundle) throws IOException {
        return new KernelFuse(bundle, !present());
    }

    private Loader loader() throws IOException {
        ModuleIndex index;
        try {
            index = ModuleIndex.of(bundle);
        } catch (IOException e) {
            throw new IOException("the kernel has no FUSE and " + bundle + " has no module index to load it from: "
                    + "load fuse first (modprobe fuse)", e);
        }
        if (index.module("fuse").isEmpty()) {
            throw new IOException("the kernel has no FUSE (no /dev/fuse) and " + bundle + " has no fuse module: "
                    + "load fuse first (modprobe fuse) or use a bundle of a kernel built with CONFIG_FUSE_FS");
        }
        String moduleDir = index.moduleDirectory("");
        Consumer<KmodProblem> problems = p -> errors.append(KmodProblems.message(p)).append('\n');
        Modprobe modprobe = index.modprobe(index.loadConfig(null, moduleDir, problems), moduleDir, problems);
        return new Loader(index, modprobe, Kernel.running(), new Loader.Options(false, false),
                new LoaderMessages(new PrintWriter(steps), new PrintWriter(errors), true, false, moduleDir,
                        bundle.toString()));
    }

    /**
     * Loads fuse unless the kernel had it when prepared; call once every block of the bundle has been checked.
     * {@code log} gets kmod's -v line for what is loaded. Fails with one line naming the bundle when the kernel
     * refuses it.
     */
    void ensure(Consumer<String> log) throws IOException {
        if (loader != null) {
            load(log);
        }
        if (!Files.exists(DEV_FUSE)) {
            throw new IOException(DEV_FUSE + " is missing although the kernel has FUSE: mount devtmpfs on /dev "
                    + "or create it (mknod /dev/fuse c 10 229)");
        }
    }

    private void load(Consumer<String> log) throws IOException {
        int result = loader.modprobe("fuse", null);
        steps.toString().lines().forEach(log);
        if (result < 0 || !present()) {
            String why = String.join(" / ", errors.toString().lines().toList());
            throw new IOException("the kernel has no FUSE and loading fuse from " + bundle + " failed: "
                    + (why.isEmpty() ? "it is still not in /proc/filesystems" : why));
        }
    }
}
