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
        SOFTDEP_NOT_FOUND,
        /** A configuration file that cannot be read; detail: the reason. */
        CONFIG_FILE_UNREADABLE,
        /** depmod: a file the module directory lacks (modules.order, modules.builtin, modules.builtin.modinfo). */
        INDEX_INPUT_MISSING,
        /** depmod: modules.order's last line lacks its newline, so depmod does not use the file; line: its number. */
        ORDER_LINE_UNTERMINATED,
        /** depmod: a module file that is not a readable ELF object; detail: the errno number, as text. */
        MODULE_UNREADABLE,
        /** depmod -e: a module needs a symbol nothing exports; detail: the symbol. */
        SYMBOL_UNKNOWN,
        /** depmod -e -E: a module's symbol version differs from the exporter's; detail: the symbol. */
        SYMBOL_VERSION_MISMATCH,
        /** depmod: an alias with an unmatched bracket, left out of the .bin index; subject: the alias. */
        ALIAS_UNMATCHED_BRACKET,
        /** depmod -w: a module gives an alias whose .bin key it gave before; subject: the key; detail: the module. */
        ALIAS_DUPLICATE,
        /** depmod: a module with a devname alias but no char- or block-major alias; detail: the devname. */
        DEVNAME_WITHOUT_NUMBERS,
        /** depmod: a modules.builtin line that does not start with a letter; detail: the line. */
        BUILTIN_LINE_INVALID,
        /** depmod -F: a System.map line without two spaces; detail: the line. */
        SYMBOL_MAP_LINE_INVALID,
        /** depmod -E: a Module.symvers line whose version is not hexadecimal; detail: the version. */
        SYMVERS_VERSION_INVALID
    }

    static KmodProblem of(Kind kind, String subject) {
        return new KmodProblem(kind, subject, 0, "");
    }
}
