package org.kmodpack.modules;

/**
 * One step of a probe (a line of {@code modprobe --show-depends}): a module file to insert ({@code path}: the
 * module directory joined to the modules.dep path, as kmod spells it), a builtin module, or an install
 * command that replaces the insertion. {@code options} is what kmod passes (never null; may be empty).
 * {@code required}: the probed module or one of its modules.dep dependencies, whose failure stops the load
 * (a softdep's failure does not).
 */
public record ProbeStep(Kind kind, String module, String path, String command, String options,
        boolean required) {
    public enum Kind { INSMOD, BUILTIN, INSTALL }
}
