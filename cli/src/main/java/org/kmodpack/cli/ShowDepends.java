package org.kmodpack.cli;

import org.kmodpack.modules.ProbeStep;

/** The lines of kmod 30's {@code modprobe --show-depends} (and of {@code modprobe -v}) for probe steps. */
final class ShowDepends {
    private ShowDepends() {
    }

    /** The line exactly as kmod 30 prints it, without the newline. */
    static String line(ProbeStep step) {
        return switch (step.kind()) {
            case INSMOD -> "insmod " + step.path() + " " + step.options();
            case BUILTIN -> "builtin " + step.module();
            case INSTALL -> "install " + step.command() + " " + step.options();
        };
    }
}
