package org.kmodpack.loader;

import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.kmodpack.modules.Errno;
import org.kmodpack.modules.ModuleNames;
import org.kmodpack.modules.Modprobe;
import org.kmodpack.modules.ModuleIndex;
import org.kmodpack.modules.ProbePlan;
import org.kmodpack.modules.ProbeStep;
import org.kmodpack.modules.RemovePlan;

/**
 * Loads and removes modules of a bundle in a kernel as kmod 30's modprobe and insmod do: the same plans, the
 * same checks of what is already loaded, the same steps reported in the same order. Module bytes come only from
 * the bundle and are read whole (every block checked against its hash) before anything of a plan is handed to
 * the kernel. Results are 0 or a negative errno, as libkmod's; {@link #exitStatus} maps them. What happens is
 * reported to {@link LoadEvents}; the caller words it.
 */
public final class Loader {
    /**
     * kmod's -n (report every step, change nothing), -b (apply the configuration's blacklist), --first-time
     * (a module already loaded, or already gone for -r, is an error), -f / --force-* ({@code forceFlags}: the
     * {@code Kernel.MODULE_INIT_IGNORE_*} flags every insertion passes), -i (install and remove commands do
     * not apply), and for -r --remove-holders (the modules holding a named one go first) and -w MSEC
     * ({@code waitMillis}: a module in use is tried again until it is free or the time is up; 0 for no wait).
     */
    public record Options(boolean dryRun, boolean useBlacklist, boolean firstTime, int forceFlags,
            boolean ignoreCommands, boolean removeHolders, long waitMillis) {
        public Options(boolean dryRun, boolean useBlacklist) {
            this(dryRun, useBlacklist, false, 0);
        }

        public Options(boolean dryRun, boolean useBlacklist, boolean firstTime, int forceFlags) {
            this(dryRun, useBlacklist, firstTime, forceFlags, false, false, 0);
        }
    }

    private static final int EEXIST = Errno.EEXIST;
    private static final int ENOENT = Errno.ENOENT;
    private static final int EINVAL = Errno.EINVAL;
    private static final int EBUSY = Errno.EBUSY;
    private static final int EAGAIN = Errno.EAGAIN;

    private final ModuleIndex index;
    private final Modprobe modprobe;
    private final Kernel kernel;
    private final Options options;
    private final LoadEvents events;

    /**
     * Loads modules read through {@code index}; {@code modprobe} is the session whose plans are loaded: its
     * configuration and module directory apply.
     */
    public Loader(ModuleIndex index, Modprobe modprobe, Kernel kernel, Options options, LoadEvents events) {
        this.index = index;
        this.modprobe = modprobe;
        this.kernel = kernel;
        this.options = options;
        this.events = events;
    }

    /** kmod's exit status for a result: 0 for success, 1 for any failure. */
    public static int exitStatus(int result) {
        return result >= 0 ? 0 : 1;
    }

    /** {@code modprobe NAME [OPTIONS]}: each module the lookup finds, with dependencies and softdeps. */
    public int modprobe(String name, String extraOptions) {
        Optional<List<ProbePlan>> plans = modprobe.probePlans(name, extraOptions, options.useBlacklist(),
                options.ignoreCommands());
        if (plans.isEmpty()) {
            events.notFound(name);
            return -ENOENT;
        }
        int result = 0;
        for (ProbePlan plan : plans.get()) {
            try {
                result = probe(plan);
            } catch (ModuleReadException e) {
                if (e.cause == null) {
                    events.notInModulesDep(plan.module(), e.module);
                } else {
                    events.unreadable(plan.module(), e.module, e.path, e.cause);
                }
                result = -Errno.EIO;
                continue;
            }
            if (result < 0) {
                events.insertFailed(plan.module(), -result);
            } else {
                result = 0;
            }
        }
        return result;
    }

    /** kmod_module_probe_insert_module without KMOD_PROBE_IGNORE_LOADED; --first-time is FAIL_ON_LOADED. */
    private int probe(ProbePlan plan) throws ModuleReadException {
        if (inKernel(plan.module(), plan.builtin())) {
            return options.firstTime() ? -EEXIST : 0;
        }
        if (plan.blacklisted()) {
            return 0;
        }
        Map<String, byte[]> files = readModules(plan.steps());
        int result = 0;
        for (ProbeStep step : plan.steps()) {
            if (step.kind() == ProbeStep.Kind.INSTALL) {
                events.step(step);
                result = options.dryRun() ? 0 : runInstall(step);
            } else if (inKernel(step.module(), index.isBuiltin(step.module()))) {
                result = -EEXIST;
            } else {
                if (step.kind() == ProbeStep.Kind.INSMOD) {
                    events.step(step);
                }
                result = options.dryRun() ? 0 : insert(step.module(), step.path(), files.get(step.path()),
                        step.options());
            }
            if (result == -EEXIST || !step.required()) {
                result = 0;
            } else if (result < 0) {
                break;
            }
        }
        return result;
    }

    /** Whether kmod counts the module as in the kernel (module_is_inkernel: live or builtin). */
    private boolean inKernel(String module, boolean builtinInIndex) {
        return builtinInIndex || kernel.state(module) == Kernel.ModuleState.LIVE;
    }

    /**
     * Every module file a plan may insert, read whole before the first insertion so that a damaged block stops
     * the plan before any of it reaches the kernel. Modules already in the kernel are not read.
     */
    private Map<String, byte[]> readModules(List<ProbeStep> steps) throws ModuleReadException {
        Map<String, byte[]> files = new HashMap<>();
        if (options.dryRun()) {
            return files;
        }
        for (ProbeStep step : steps) {
            if (step.kind() == ProbeStep.Kind.INSMOD && !files.containsKey(step.path())
                    && !inKernel(step.module(), index.isBuiltin(step.module()))) {
                files.put(step.path(), read(step.module()));
            }
        }
        return files;
    }

    private byte[] read(String module) throws ModuleReadException {
        Optional<String> path = index.module(module).map(ModuleIndex.Module::path);
        if (path.isEmpty()) {
            throw new ModuleReadException(module, null, null);
        }
        try {
            return index.readFile(path.get());
        } catch (IOException e) {
            throw new ModuleReadException(module, path.get(), e);
        }
    }

    private int insert(String module, String path, byte[] file, String params) {
        ModuleImage image;
        try {
            image = ModuleImage.of(path, file, kernel.compression());
        } catch (IOException e) {
            events.undecompressable(module, e);
            return -Errno.ENOEXEC;
        }
        return kernel.load(module, image.bytes(), params, image.flags() | options.forceFlags());
    }

    /** module_do_install_commands: $CMDLINE_OPTS replaced, MODPROBE_MODULE set, run by /bin/sh as system(3). */
    private int runInstall(ProbeStep step) {
        String command = step.command().replace("$CMDLINE_OPTS", step.options());
        int status = shell(command, step.module());
        if (status != 0) {
            events.installCommandFailed(step.module(), command, status);
            return -EINVAL;
        }
        return 0;
    }

    private int shell(String command, String module) {
        ProcessBuilder builder = new ProcessBuilder("/bin/sh", "-c", command).inheritIO();
        builder.environment().put("MODPROBE_MODULE", module);
        try {
            return builder.start().waitFor();
        } catch (IOException e) {
            events.shellUnavailable(module, e);
            return 127;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 130;
        }
    }

    /** {@code insmod FILE [OPTIONS]}: one module, by name or by its path in the bundle, no dependencies. */
    public int insmod(String nameOrPath, String params) {
        String path = nameOrPath;
        String module;
        Optional<ModuleIndex.Module> byName = nameOrPath.contains("/") || nameOrPath.contains(".ko")
                ? Optional.empty() : index.module(nameOrPath);
        if (byName.isPresent()) {
            module = byName.get().name();
            path = byName.get().path();
        } else {
            if (path.startsWith(modprobe.moduleDirectory() + "/")) {
                path = path.substring(modprobe.moduleDirectory().length() + 1);
            }
            module = ModuleNames.fromPath(path);
        }
        byte[] bytes;
        try {
            bytes = index.readFile(path);
        } catch (NoSuchFileException e) {
            events.insmodNoFile(nameOrPath);
            return -ENOENT;
        } catch (IOException e) {
            events.insmodUnreadable(nameOrPath, path, e);
            return -Errno.EIO;
        }
        events.inserting(path, params == null ? "" : params);
        if (options.dryRun()) {
            return 0;
        }
        int result = insert(module, path, bytes, params == null ? "" : params);
        if (result < 0) {
            events.insmodFailed(nameOrPath, -result);
        }
        return result;
    }

    /** {@code modprobe -r NAME...}: the names in order, stopping at the first failure as kmod 30 does. */
    public int remove(List<String> names) {
        for (String name : names) {
            int result = removeName(name);
            if (result < 0) {
                return result;
            }
        }
        return 0;
    }

    private int removeName(String name) {
        List<RemovePlan> plans = modprobe.removePlans(name, options.ignoreCommands());
        if (plans.isEmpty()) {
            events.notFoundForRemoval(name);
            return -ENOENT;
        }
        int result = 0;
        for (RemovePlan plan : plans) {
            result = removeModule(plan, false, options.removeHolders());
            if (result < 0) {
                break;
            }
        }
        return result;
    }

    /** modprobe.c rmmod_do_module; {@code removeHolders} for a named module under --remove-holders. */
    private int removeModule(RemovePlan plan, boolean ignoreBuiltin, boolean removeHolders) {
        String name = plan.module();
        String command = plan.removeCommand();
        if (command == null) {
            if (plan.builtin()) {
                if (ignoreBuiltin) {
                    return 0;
                }
                events.builtin(name);
                return -ENOENT;
            }
            if (kernel.state(name) == Kernel.ModuleState.ABSENT) {
                if (options.firstTime()) {
                    events.notInKernel(name);
                    return -ENOENT;
                }
                return 0;
            }
        }
        removeList(plan.post(), false);
        if (removeHolders) {
            Optional<List<String>> holders = kernel.holders(name);
            if (holders.isEmpty()) {
                events.holdersUnreadable(name);
            }
            int result = removeList(holders.orElse(List.of()), true);
            if (result < 0) {
                return result;
            }
        }
        // With -w the removal itself waits for the users to go.
        if (command == null && options.waitMillis() == 0 && kernel.refcount(name) > 0) {
            events.inUse(name);
            return -EBUSY;
        }
        int result;
        if (command == null) {
            result = removeFromKernel(name);
        } else {
            events.runningRemoveCommand(command);
            result = options.dryRun() ? 0 : removeCommand(command, name);
        }
        if (result < 0) {
            return result;
        }
        if (command == null) {
            // kmod_module_get_dependencies lists the modules.dep line backwards (libkmod prepends as it parses).
            List<String> dependencies = new ArrayList<>(index.module(name).map(ModuleIndex.Module::dependencies)
                    .orElse(List.of()));
            java.util.Collections.reverse(dependencies);
            for (String dependency : dependencies) {
                if (kernel.refcount(dependency) == 0) {
                    removeFromKernel(dependency);
                }
            }
        }
        removeList(plan.pre(), false);
        return 0;
    }

    /**
     * rmmod_do_modlist: modules (softdeps, holders) in reverse order, built-in ones skipped; the first failure
     * stops it when {@code stopOnError} (holders), else failures are ignored (softdeps).
     */
    private int removeList(List<String> modules, boolean stopOnError) {
        List<String> reversed = new ArrayList<>(modules);
        java.util.Collections.reverse(reversed);
        for (String module : reversed) {
            for (RemovePlan plan : modprobe.removePlans(module, options.ignoreCommands())) {
                int result = removeModule(plan, true, false);
                if (result < 0 && stopOnError) {
                    return result;
                }
            }
        }
        return 0;
    }

    /** rmmod_do_remove_module: "rmmod NAME" with -v; EEXIST is not an error (kmod without --first-time). */
    private int removeFromKernel(String name) {
        events.removing(name);
        if (options.dryRun()) {
            return 0;
        }
        int result = kernel.remove(name);
        long waitEnd = System.nanoTime() + options.waitMillis() * 1_000_000;
        // -w: tries again after 1, 2, 4... ms, the last try when the time is up.
        for (long pause = 1; result == -EAGAIN && options.waitMillis() > 0 && pause > 0; pause *= 2) {
            long left = Math.max(0, waitEnd - System.nanoTime() + 999_999) / 1_000_000;
            pause = Math.min(pause, left);
            try {
                Thread.sleep(pause);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            result = kernel.remove(name);
        }
        if (result == -EEXIST) {
            return 0;
        }
        if (result < 0) {
            events.removeFailed(name, -result);
        }
        return result;
    }

    private int removeCommand(String command, String module) {
        int status = shell(command, module);
        if (status != 0) {
            events.removeCommandFailed(module);
            return -status;
        }
        return 0;
    }

    /** A module file of a plan cannot be read from the bundle ({@code cause}), or is not in modules.dep (no cause). */
    private static final class ModuleReadException extends Exception {
        final String module;
        final String path;
        final IOException cause;

        ModuleReadException(String module, String path, IOException cause) {
            super(module, cause, false, false);
            this.module = module;
            this.path = path;
            this.cause = cause;
        }
    }
}
