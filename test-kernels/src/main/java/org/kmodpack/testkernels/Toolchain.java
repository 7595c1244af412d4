package org.kmodpack.testkernels;

/** The C compiler that produces a tree's modules, and so their ELF class, byte order and machine. */
enum Toolchain {
    HOST("gcc", "gcc"),
    S390X("s390x-linux-gnu-gcc", "gcc-s390x-linux-gnu"),
    POWERPC("powerpc-linux-gnu-gcc", "gcc-powerpc-linux-gnu"),
    I686("i686-linux-gnu-gcc", "gcc-i686-linux-gnu");

    private final String compiler;
    private final String debianPackage;

    Toolchain(String compiler, String debianPackage) {
        this.compiler = compiler;
        this.debianPackage = debianPackage;
    }

    String compiler() {
        return compiler;
    }

    String debianPackage() {
        return debianPackage;
    }
}
