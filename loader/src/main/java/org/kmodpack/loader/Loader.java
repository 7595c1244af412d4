package org.kmodpack.loader;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import org.kmodpack.modules.ModuleNames;
import org.kmodpack.modules.Modprobe;
import org.kmodpack.modules.ModuleIndex;
import org.kmodpack.modules.ProbePlan;
import org.kmodpack.modules.ProbeStep;
import org.kmodpack.modules.RemovePlan;
import org.kmodpack.reader.Bundle;
import org.kmodpack.reader.Entry;

/**
 * Loads and removes modules of a bundle in the running kernel as kmod 30's modprobe and insmod do: the same
 * plans, the same checks of what is already loaded, the same -v lines, messages and results. Module bytes come
 * only from the bundle and are read whole (every block checked against its hash) before anything of a plan is
 * handed to the kernel. Results are 0 or a negative errno, as libkmod's; {@link #exitStatus} maps them.
 */
public final class Loader {
    /** kmod's -n, -v, -b and -a (which turns modprobe's FATAL messages into WARNING ones). */
    public record Options(boolean dryRun, boolean verbose, boolean useBlacklist, boolean all) {
    }

    private static final int EEXIST = Errno.EEXIST;
    private static final int ENOENT = Errno.ENOENT;
    private static final int EINVAL = Errno.EINVAL;
    private static final int EBUSY = Errno.EBUSY;

    private final Bundle bundle;
    private final ModuleIndex index;
    private final Modprobe modprobe;
    private final String moduleDir;
    private final Options options;
    private final Consumer<String> out;
    private final Consumer<String> err;
    private final Optional<String> kernelCompression = KernelState.kernelCompression();
    private Syscalls syscalls;

    public Loader(Bundle bundle, ModuleIndex index, Modprobe modprobe, String moduleDir, Options options,
            Consumer<String> out, Consumer<String> err) {
        this.bundle = bundle;
        this.index = index;
        this.modprobe = modprobe;
        this.moduleDir = moduleDir;
        this.options = options;
        this.out = out;
        this.err = err;
    }

    /** kmod's exit status for a result: 0 for success, 1 for any failure. */
    public static int exitStatus(int result) {
        return result >= 0 ? 0 : 1;
    }

    /** {@code modprobe NAME [OPTIONS]}: each module the lookup finds, with dependencies and softdeps. */
    public int modprobe(String name, String extraOptions) {
        Optional<List<ProbePlan>> plans = modprobe.probePlans(name, extraOptions, options.useBlacklist());
        if (plans.isEmpty()) {
            err.accept(fatal() + "Module " + name + " not found in directory " + moduleDir);
            return -ENOENT;
        }
        int result = 0;
        for (ProbePlan plan : plans.get()) {
            try {
                result = probe(plan);
            } catch (ModuleReadException e) {
                err.accept("modprobe: ERROR: could not insert '" + plan.module() + "': " + e.getMessage());
                result = -Errno.EIO;
                continue;
            }
            if (result < 0) {
                err.accept("modprobe: ERROR: could not insert '" + plan.module() + "': " + insertError(result));
            } else {
                result = 0;
            }
        }
        return result;
    }

    /** insmod's words for modprobe's errors (modprobe.c insmod_insert). */
    private static String insertError(int result) {
        if (result == -EEXIST) {
            return "Module already in kernel";
        }
        if (result == -ENOENT) {
            return "Unknown symbol in module, or unknown parameter (see dmesg)";
        }
        return Errno.strerror(-result);
    }

    /** kmod_module_probe_insert_module without KMOD_PROBE_IGNORE_LOADED and KMOD_PROBE_FAIL_ON_LOADED. */
    private int probe(ProbePlan plan) throws ModuleReadException {
        if (KernelState.inKernel(plan.module(), plan.builtin()) || plan.blacklisted()) {
            return 0;
        }
        Map<String, byte[]> files = readModules(plan.steps());
        int result = 0;
        for (ProbeStep step : plan.steps()) {
            if (step.kind() == ProbeStep.Kind.INSTALL) {
                printIfVerbose(step.line());
                result = options.dryRun() ? 0 : runInstall(step);
            } else if (KernelState.inKernel(step.module(), index.isBuiltin(step.module()))) {
                result = -EEXIST;
            } else {
                if (step.kind() == ProbeStep.Kind.INSMOD) {
                    printIfVerbose(step.line());
                }
                result = options.dryRun() ? 0 : insert(step.module(), files.get(step.path()), step.options());
            }
            if (result == -EEXIST || !step.required()) {
                result = 0;
            } else if (result < 0) {
                break;
            }
        }
        return result;
    }

    /** modprobe's LOG level: FATAL, or WARNING under -a. */
    private String fatal() {
        return options.all() ? "modprobe: WARNING: " : "modprobe: FATAL: ";
    }

    private void printIfVerbose(String line) {
        if (options.verbose()) {
            out.accept(line);
        }
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
                    && !KernelState.inKernel(step.module(), index.isBuiltin(step.module()))) {
                files.put(step.path(), read(step.module()));
            }
        }
        return files;
    }

    private byte[] read(String module) throws ModuleReadException {
        String path = index.module(module).map(ModuleIndex.Module::path)
                .orElseThrow(() -> new ModuleReadException(module + " is not in the bundle's modules.dep"));
        try {
            Entry entry = bundle.get(path);
            return bundle.readAllBytes(entry);
        } catch (IOException e) {
            // The reader's message names the bundle and the block and says what to do.
            throw new ModuleReadException("cannot read module " + module + " (" + path + "): " + e.getMessage()
                    + "; nothing of it was loaded");
        }
    }

    private int insert(String module, byte[] file, String params) {
        ModuleImage image;
        try {
            image = ModuleImage.of(file, kernelCompression);
        } catch (IOException e) {
            err.accept("modprobe: ERROR: cannot decompress module " + module + " from " + bundle + ": "
                    + e.getMessage());
            return -Errno.ENOEXEC;
        }
        return syscalls().load(module, image.bytes(), params, image.flags());
    }

    /** module_do_install_commands: $CMDLINE_OPTS replaced, MODPROBE_MODULE set, run by /bin/sh as system(3). */
    private int runInstall(ProbeStep step) {
        String command = step.command().replace("$CMDLINE_OPTS", step.options());
        int status = shell(command, step.module());
        if (status != 0) {
            err.accept("modprobe: ERROR: Error running install command '" + command + "' for module "
                    + step.module() + ": retcode " + status);
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
            err.accept("modprobe: ERROR: cannot run /bin/sh for module " + module + ": " + e.getMessage());
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
            if (path.startsWith(moduleDir + "/")) {
                path = path.substring(moduleDir.length() + 1);
            }
            module = ModuleNames.fromPath(path);
        }
        byte[] bytes;
        try {
            bytes = bundle.readAllBytes(bundle.get(path));
        } catch (java.nio.file.NoSuchFileException e) {
            err.accept("insmod: ERROR: could not load module " + nameOrPath + ": No such file or directory");
            return -ENOENT;
        } catch (IOException e) {
            err.accept("insmod: ERROR: could not load module " + nameOrPath + ": cannot read " + path + ": "
                    + e.getMessage() + "; nothing was loaded");
            return -Errno.EIO;
        }
        printIfVerbose("insmod " + moduleDir + "/" + path + " " + (params == null ? "" : params));
        if (options.dryRun()) {
            return 0;
        }
        int result = insert(module, bytes, params == null ? "" : params);
        if (result < 0) {
            err.accept("insmod: ERROR: could not insert module " + nameOrPath + ": " + insmodError(-result));
        }
        return result;
    }

    /** insmod.c's mod_strerror. */
    private static String insmodError(int errno) {
        if (errno == Errno.ENOEXEC) {
            return "Invalid module format";
        }
        if (errno == ENOENT) {
            return "Unknown symbol in module";
        }
        if (errno == Errno.ESRCH) {
            return "Module has wrong symbol version";
        }
        if (errno == EINVAL) {
            return "Invalid parameters";
        }
        return Errno.strerror(errno);
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
        List<RemovePlan> plans = modprobe.removePlans(name);
        if (plans.isEmpty()) {
            err.accept(fatal() + "Module " + name + " not found.");
            return -ENOENT;
        }
        int result = 0;
        for (RemovePlan plan : plans) {
            result = removeModule(plan, false);
            if (result < 0) {
                break;
            }
        }
        return result;
    }

    /** modprobe.c rmmod_do_module (without --remove-holders and --wait). */
    private int removeModule(RemovePlan plan, boolean ignoreBuiltin) {
        String name = plan.module();
        String command = plan.removeCommand();
        if (command == null) {
            KernelState.InitState state = KernelState.initstate(name, plan.builtin());
            if (state == KernelState.InitState.ABSENT) {
                return 0;
            }
            if (state == KernelState.InitState.BUILTIN) {
                if (ignoreBuiltin) {
                    return 0;
                }
                err.accept(fatal() + "Module " + name + " is builtin.");
                return -ENOENT;
            }
        }
        removeList(plan.post());
        if (command == null && KernelState.refcnt(name) > 0) {
            err.accept(fatal() + "Module " + name + " is in use.");
            return -EBUSY;
        }
        int result;
        if (command == null) {
            result = removeFromKernel(name);
        } else {
            printIfVerbose("remove " + command);
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
                if (KernelState.refcnt(dependency) == 0) {
                    removeFromKernel(dependency);
                }
            }
        }
        removeList(plan.pre());
        return 0;
    }

    /** rmmod_do_modlist: softdep modules in reverse order, built-in ones skipped, errors ignored. */
    private void removeList(List<String> modules) {
        List<String> reversed = new ArrayList<>(modules);
        java.util.Collections.reverse(reversed);
        for (String module : reversed) {
            for (RemovePlan plan : modprobe.removePlans(module)) {
                removeModule(plan, true);
            }
        }
    }

    /** rmmod_do_remove_module: "rmmod NAME" with -v; EEXIST is not an error (kmod without --first-time). */
    private int removeFromKernel(String name) {
        printIfVerbose("rmmod " + name);
        if (options.dryRun()) {
            return 0;
        }
        int result = syscalls().remove(name);
        if (result == -EEXIST) {
            return 0;
        }
        if (result < 0) {
            err.accept("modprobe: ERROR: could not remove '" + name + "': " + Errno.strerror(-result));
        }
        return result;
    }

    private int removeCommand(String command, String module) {
        int status = shell(command, module);
        if (status != 0) {
            err.accept(fatal() + "Error running remove command for " + module);
            return -status;
        }
        return 0;
    }

    private Syscalls syscalls() {
        if (syscalls == null) {
            syscalls = new Syscalls();
        }
        return syscalls;
    }

    /** A module file of a plan that cannot be read from the bundle; the message names it. */
    private static final class ModuleReadException extends Exception {
        ModuleReadException(String message) {
            super(message);
        }
    }
}
