package org.kmodpack.loader;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/** The host's kernel: /sys/module read where libkmod reads it, system calls made on first use. */
final class RunningKernel implements Kernel {
    private static final Path SYS_MODULE = Path.of("/sys/module");

    private Syscalls syscalls;

    @Override
    public ModuleState state(String module) {
        Path dir = SYS_MODULE.resolve(module);
        try {
            return switch (Files.readString(dir.resolve("initstate")).strip()) {
                case "live" -> ModuleState.LIVE;
                case "coming" -> ModuleState.COMING;
                case "going" -> ModuleState.GOING;
                default -> ModuleState.ABSENT;
            };
        } catch (IOException e) {
            return Files.isDirectory(dir) ? ModuleState.COMING : ModuleState.ABSENT;
        }
    }

    @Override
    public int refcount(String module) {
        try {
            return Integer.parseInt(Files.readString(SYS_MODULE.resolve(module).resolve("refcnt")).strip());
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
    }

    @Override
    public Optional<List<String>> holders(String module) {
        try (Stream<Path> holders = Files.list(SYS_MODULE.resolve(module).resolve("holders"))) {
            return Optional.of(holders.map(holder -> holder.getFileName().toString()).toList());
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    @Override
    public Optional<String> compression() {
        try {
            return Optional.of(Files.readString(SYS_MODULE.resolve("compression")).strip());
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    @Override
    public int load(String module, byte[] image, String params, int flags) {
        return syscalls().load(module, image, params, flags);
    }

    @Override
    public int remove(String module) {
        return syscalls().remove(module);
    }

    /** libc is bound on first use: a dry run or a plan with nothing to load never needs it. */
    private Syscalls syscalls() {
        if (syscalls == null) {
            syscalls = new Syscalls();
        }
        return syscalls;
    }
}
