package org.kmodpack.loader;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/** What the running kernel says about a module, read where libkmod reads it: /sys/module/NAME. */
final class KernelState {
    enum InitState { ABSENT, BUILTIN, LIVE, COMING, GOING }

    private static final Path SYS_MODULE = Path.of("/sys/module");

    private KernelState() {
    }

    /**
     * kmod_module_get_initstate: modules.builtin first, then /sys/module/NAME/initstate. libkmod takes a
     * /sys/module/NAME directory without initstate (a built-in module's parameters, when modules.builtin does
     * not name it) for a module still coming, which is not "in the kernel": kmod 30 then loads the module.
     */
    static InitState initstate(String name, boolean builtinInIndex) {
        if (builtinInIndex) {
            return InitState.BUILTIN;
        }
        Path dir = SYS_MODULE.resolve(name);
        try {
            return switch (Files.readString(dir.resolve("initstate")).strip()) {
                case "live" -> InitState.LIVE;
                case "coming" -> InitState.COMING;
                case "going" -> InitState.GOING;
                default -> InitState.ABSENT;
            };
        } catch (IOException e) {
            return Files.isDirectory(dir) ? InitState.COMING : InitState.ABSENT;
        }
    }

    /** Whether kmod counts the module as in the kernel (module_is_inkernel: live or builtin). */
    static boolean inKernel(String name, boolean builtinInIndex) {
        InitState state = initstate(name, builtinInIndex);
        return state == InitState.LIVE || state == InitState.BUILTIN;
    }

    /** /sys/module/NAME/refcnt; -1 when absent (a builtin or unloaded module). */
    static int refcnt(String name) {
        try {
            return Integer.parseInt(Files.readString(SYS_MODULE.resolve(name).resolve("refcnt")).strip());
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
    }

    /** The format the kernel decompresses modules in itself (/sys/module/compression, Linux 6.4+), if any. */
    static Optional<String> kernelCompression() {
        try {
            return Optional.of(Files.readString(SYS_MODULE.resolve("compression")).strip());
        } catch (IOException e) {
            return Optional.empty();
        }
    }
}
