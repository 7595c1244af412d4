package org.kmodpack.testkernels;

import java.util.Locale;

/** The synthetic module trees {@link SyntheticKernels} can build; see test-kernels/README.md for what each covers. */
public enum SyntheticKernel {
    /** Host gcc (x86-64): dependency shapes, aliases, softdeps, builtins, compression, odd files and names. */
    BASIC("6.1.0-kmodpack-basic"),
    /** .ko.gz modules, which Debian's depmod (built without zlib) leaves out of the indexes. */
    GZIP("6.1.0-kmodpack-gzip"),
    /** 64-bit big-endian ELF. */
    S390X("6.1.0-kmodpack-s390x"),
    /** 32-bit big-endian ELF. */
    POWERPC("6.1.0-kmodpack-powerpc"),
    /** 32-bit little-endian ELF. */
    I686("6.1.0-kmodpack-i686"),
    /** Modules with firmware= fields, for {@link SyntheticFirmware}'s directory. */
    FIRMWARE("6.1.0-kmodpack-firmware");

    private final String kernelVersion;

    SyntheticKernel(String kernelVersion) {
        this.kernelVersion = kernelVersion;
    }

    /** The KVER of ROOT/lib/modules/KVER. */
    public String kernelVersion() {
        return kernelVersion;
    }

    String directoryName() {
        return name().toLowerCase(Locale.ROOT);
    }

    TreeSpec spec() {
        switch (this) {
            case BASIC:
                return BasicTree.spec(kernelVersion);
            case GZIP:
                return GzipTree.spec(kernelVersion);
            case S390X:
                return CrossTree.spec(kernelVersion, Toolchain.S390X);
            case POWERPC:
                return CrossTree.spec(kernelVersion, Toolchain.POWERPC);
            case FIRMWARE:
                return FirmwareTree.spec(kernelVersion);
            default:
                return CrossTree.spec(kernelVersion, Toolchain.I686);
        }
    }
}
