package org.kmodpack.loader;

import jnr.ffi.LastError;
import jnr.ffi.LibraryLoader;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;
import jnr.ffi.Runtime;
import org.kmodpack.modules.Errno;

/**
 * The kernel's module system calls through libc (jnr-ffi). Each call returns 0 or a negative errno, as libkmod's
 * functions do, so callers word errors exactly as kmod words them.
 */
final class Syscalls {
    /** libc's functions; finit_module has no libc wrapper before glibc 2.39, so it goes through syscall(2). */
    public interface LibC {
        int memfd_create(String name, int flags);

        long write(int fd, Pointer buffer, long count);

        int close(int fd);

        long syscall(long number, int fd, String params, int flags);

        int init_module(Pointer image, long length, String params);

        int delete_module(String name, int flags);
    }

    private static final int MFD_CLOEXEC = 1;
    private static final int O_NONBLOCK = 04000;

    private final LibC libc;
    private final Runtime runtime;

    Syscalls() {
        this.libc = LibraryLoader.create(LibC.class).load("c");
        this.runtime = Runtime.getRuntime(libc);
    }

    /**
     * Loads a module image: written to a memfd and handed to finit_module, so the kernel reads the verified
     * bytes from memory; init_module where finit_module does not exist (ENOSYS).
     */
    int load(String name, byte[] image, String params, int flags) {
        Pointer memory = Memory.allocateDirect(runtime, image.length);
        memory.put(0, image, 0, image.length);
        int number = finitModuleNumber();
        if (number > 0) {
            int fd = libc.memfd_create("kmodpack:" + name, MFD_CLOEXEC);
            if (fd < 0) {
                return -errno();
            }
            try {
                long written = 0;
                while (written < image.length) {
                    long n = libc.write(fd, memory.slice(written), image.length - written);
                    if (n < 0) {
                        return -errno();
                    }
                    written += n;
                }
                if (libc.syscall(number, fd, params, flags) == 0) {
                    return 0;
                }
                int errno = errno();
                if (errno != Errno.ENOSYS) {
                    return -errno;
                }
            } finally {
                libc.close(fd);
            }
        }
        if (flags != 0) {
            return -Errno.ENOSYS;
        }
        return libc.init_module(memory, image.length, params) == 0 ? 0 : -errno();
    }

    /** delete_module with O_NONBLOCK, as libkmod calls it. */
    int remove(String name) {
        return libc.delete_module(name, O_NONBLOCK) == 0 ? 0 : -errno();
    }

    private int errno() {
        return LastError.getLastError(runtime);
    }

    /** finit_module's number on the architectures Debian builds for that use the generic table or x86-64's. */
    private static int finitModuleNumber() {
        return switch (System.getProperty("os.arch")) {
            case "amd64", "x86_64" -> 313;
            case "aarch64", "riscv64", "loongarch64" -> 273;
            case "ppc64le", "ppc64" -> 353;
            case "s390x" -> 344;
            default -> -1;
        };
    }
}
