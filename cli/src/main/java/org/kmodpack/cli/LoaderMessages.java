package org.kmodpack.cli;

import java.io.IOException;
import java.io.PrintWriter;
import org.kmodpack.loader.LoadEvents;
import org.kmodpack.modules.Errno;
import org.kmodpack.modules.ProbeStep;

/**
 * kmod 30's words for what the loader reports: modprobe's and insmod's -v lines on stdout, their errors on
 * stderr (stdout flushed first, so the two interleave as kmod's do), byte for byte as kmod prints them.
 * {@code all} is modprobe's -a, which turns its FATAL messages into WARNING ones.
 */
record LoaderMessages(PrintWriter out, PrintWriter err, boolean verbose, boolean all, String moduleDirectory,
        String bundle) implements LoadEvents {
    @Override
    public void step(ProbeStep step) {
        verbose(ShowDepends.line(step));
    }

    @Override
    public void inserting(String path, String params) {
        verbose("insmod " + moduleDirectory + "/" + path + " " + params);
    }

    @Override
    public void removing(String module) {
        verbose("rmmod " + module);
    }

    @Override
    public void runningRemoveCommand(String command) {
        verbose("remove " + command);
    }

    @Override
    public void notFound(String name) {
        error(fatal() + "Module " + name + " not found in directory " + moduleDirectory);
    }

    @Override
    public void notFoundForRemoval(String name) {
        error(fatal() + "Module " + name + " not found.");
    }

    @Override
    public void notInKernel(String module) {
        error(fatal() + "Module " + module + " is not in kernel.");
    }

    @Override
    public void unreadable(String planModule, String module, String path, IOException cause) {
        // The reader's message names the bundle and the block and says what to do.
        error("modprobe: ERROR: could not insert '" + planModule + "': cannot read module " + module + " (" + path
                + "): " + cause.getMessage() + "; nothing of it was loaded");
    }

    @Override
    public void notInModulesDep(String planModule, String module) {
        error("modprobe: ERROR: could not insert '" + planModule + "': " + module
                + " is not in the bundle's modules.dep");
    }

    /** modprobe.c's insmod_insert words two errors its own way. */
    @Override
    public void insertFailed(String module, int errno) {
        String reason = switch (errno) {
            case Errno.EEXIST -> "Module already in kernel";
            case Errno.ENOENT -> "Unknown symbol in module, or unknown parameter (see dmesg)";
            default -> Strerror.of(errno);
        };
        error("modprobe: ERROR: could not insert '" + module + "': " + reason);
    }

    @Override
    public void undecompressable(String module, IOException cause) {
        error("modprobe: ERROR: cannot decompress module " + module + " from " + bundle + ": " + cause.getMessage());
    }

    @Override
    public void installCommandFailed(String module, String command, int status) {
        error("modprobe: ERROR: Error running install command '" + command + "' for module " + module
                + ": retcode " + status);
    }

    @Override
    public void removeCommandFailed(String module) {
        error(fatal() + "Error running remove command for " + module);
    }

    @Override
    public void shellUnavailable(String module, IOException cause) {
        error("modprobe: ERROR: cannot run /bin/sh for module " + module + ": " + cause.getMessage());
    }

    @Override
    public void insmodNoFile(String nameOrPath) {
        error("insmod: ERROR: could not load module " + nameOrPath + ": No such file or directory");
    }

    @Override
    public void insmodUnreadable(String nameOrPath, String path, IOException cause) {
        error("insmod: ERROR: could not load module " + nameOrPath + ": cannot read " + path + ": "
                + cause.getMessage() + "; nothing was loaded");
    }

    /** insmod.c's mod_strerror. */
    @Override
    public void insmodFailed(String nameOrPath, int errno) {
        String reason = switch (errno) {
            case Errno.ENOEXEC -> "Invalid module format";
            case Errno.ENOENT -> "Unknown symbol in module";
            case Errno.ESRCH -> "Module has wrong symbol version";
            case Errno.EINVAL -> "Invalid parameters";
            default -> Strerror.of(errno);
        };
        error("insmod: ERROR: could not insert module " + nameOrPath + ": " + reason);
    }

    @Override
    public void builtin(String module) {
        error(fatal() + "Module " + module + " is builtin.");
    }

    @Override
    public void inUse(String module) {
        error(fatal() + "Module " + module + " is in use.");
    }

    @Override
    public void removeFailed(String module, int errno) {
        error("modprobe: ERROR: could not remove '" + module + "': " + Strerror.of(errno));
    }

    @Override
    public void holdersUnreadable(String module) {
        error("modprobe: ERROR: ../libkmod/libkmod-module.c:1998 kmod_module_get_holders() could not open "
                + "'/sys/module/" + module + "/holders': " + Strerror.of(Errno.ENOENT));
    }

    /** modprobe's LOG level: FATAL, or WARNING under -a. */
    private String fatal() {
        return all ? "modprobe: WARNING: " : "modprobe: FATAL: ";
    }

    private void verbose(String line) {
        if (verbose) {
            out.println(line);
            out.flush();
        }
    }

    private void error(String line) {
        out.flush();
        err.println(line);
        err.flush();
    }
}
