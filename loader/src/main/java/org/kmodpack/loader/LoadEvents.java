package org.kmodpack.loader;

import java.io.IOException;
import org.kmodpack.modules.ProbeStep;

/**
 * What the loader reports while it works, in the order it happens, for the caller to word (as libkmod returns
 * errors and kmod's tools print them). Errno values are positive ({@link org.kmodpack.modules.Errno}).
 */
public interface LoadEvents {
    /** A step of a probe plan is about to run (an insmod or install line of {@code modprobe -v}). */
    void step(ProbeStep step);

    /** insmod is about to insert the module file at {@code path} of the module directory. */
    void inserting(String path, String params);

    /** A module is about to be removed from the kernel (rmmod). */
    void removing(String module);

    /** A remove command of the configuration is about to run. */
    void runningRemoveCommand(String command);

    /** modprobe NAME: no module, alias or builtin of that name. */
    void notFound(String name);

    /** modprobe -r NAME: no module of that name. */
    void notFoundForRemoval(String name);

    /** modprobe -r --first-time: the module is not loaded. */
    void notInKernel(String module);

    /**
     * A module of the plan for {@code planModule} cannot be read from the bundle (damaged block, missing file):
     * nothing of the plan was loaded.
     */
    void unreadable(String planModule, String module, String path, IOException cause);

    /** A module of the plan for {@code planModule} is not in the bundle's modules.dep. */
    void notInModulesDep(String planModule, String module);

    /** The kernel refused a module of modprobe's plan. */
    void insertFailed(String module, int errno);

    /** A compressed module the kernel cannot decompress did not decompress here either. */
    void undecompressable(String module, IOException cause);

    /** An install command exited with {@code status}. */
    void installCommandFailed(String module, String command, int status);

    /** A remove command exited with a status other than 0. */
    void removeCommandFailed(String module);

    /** /bin/sh could not be started for a command. */
    void shellUnavailable(String module, IOException cause);

    /** insmod: the bundle holds no such file. */
    void insmodNoFile(String nameOrPath);

    /** insmod: the file cannot be read from the bundle; nothing was loaded. */
    void insmodUnreadable(String nameOrPath, String path, IOException cause);

    /** insmod: the kernel refused the module. */
    void insmodFailed(String nameOrPath, int errno);

    /** modprobe -r of a module built into the kernel. */
    void builtin(String module);

    /** modprobe -r of a module other modules use. */
    void inUse(String module);

    /** The kernel refused to remove a module. */
    void removeFailed(String module, int errno);

    /** --remove-holders: /sys/module/NAME/holders cannot be read; the removal goes on as if none held it. */
    void holdersUnreadable(String module);
}
