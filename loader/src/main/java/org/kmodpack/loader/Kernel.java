package org.kmodpack.loader;

import java.util.List;
import java.util.Optional;

/**
 * What the loader asks of the kernel it loads into: the module system calls and what /sys/module says about a
 * module. {@link #running()} is the host's kernel; tests pass a kernel that records what it was given, as kmod's
 * testsuite does with its init_module and delete_module stand-ins.
 */
public interface Kernel {
    /** /sys/module/NAME/initstate; {@code COMING} also for a directory without initstate, as libkmod reads it. */
    enum ModuleState { ABSENT, LIVE, COMING, GOING }

    ModuleState state(String module);

    /** /sys/module/NAME/refcnt; -1 when the kernel has none (a built-in or absent module). */
    int refcount(String module);

    /**
     * /sys/module/NAME/holders: the modules that use this one, in directory order; empty when the directory
     * cannot be read (an absent or built-in module has none).
     */
    Optional<List<String>> holders(String module);

    /** The format the kernel decompresses modules in itself (/sys/module/compression, Linux 6.4+), if any. */
    Optional<String> compression();

    /**
     * Loads a module image with its parameters; {@code flags} holds {@link #MODULE_INIT_COMPRESSED_FILE} and the
     * {@code MODULE_INIT_IGNORE_*} flags of a forced load, or is 0.
     * Returns 0 or a negative errno ({@link Errno}), as libkmod's functions do.
     */
    int load(String module, byte[] image, String params, int flags);

    /**
     * delete_module with O_NONBLOCK, as libkmod calls it: 0 or a negative errno (EAGAIN while the module is in
     * use).
     */
    int remove(String module);

    /** finit_module's flag: the image is compressed in the format {@link #compression()} names. */
    int MODULE_INIT_COMPRESSED_FILE = 4;
    /** finit_module flags of modprobe -f (--force-modversion, --force-vermagic): the kernel skips those checks. */
    int MODULE_INIT_IGNORE_MODVERSIONS = 1;
    int MODULE_INIT_IGNORE_VERMAGIC = 2;

    /** The kernel this process runs on: system calls through libc, state from /sys/module. */
    static Kernel running() {
        return new RunningKernel();
    }
}
