package org.kmodpack.modules;

/**
 * A problem libkmod logs and then skips while it reads configuration or resolves names; the command words it
 * (kmod's tools print libkmod's log lines). {@code subject} is the file, directory or name concerned; {@code line}
 * a line number where there is one (else 0); {@code detail} what else the message needs.
 */
public record KmodProblem(Kind kind, String subject, int line, String detail) {
    public enum Kind {
        /** A configuration directory cannot be listed; detail: the reason. */
        CONFIG_DIRECTORY_UNREADABLE,
        /** A directory inside a configuration directory (kmod reads none). */
        CONFIG_SUBDIRECTORY,
        /** A configuration command kmod no longer parses; detail: the command. */
        CONFIG_COMMAND_DEPRECATED,
        /** A configuration line kmod ignores; detail: its first word. */
        CONFIG_BAD_LINE,
        /** A module option on the kernel command line whose module name is not valid. */
        CMDLINE_BAD_OPTION,
        /** A soft dependency that names nothing. */
        SOFTDEP_NOT_FOUND
    }

    static KmodProblem of(Kind kind, String subject) {
        return new KmodProblem(kind, subject, 0, "");
    }
}
