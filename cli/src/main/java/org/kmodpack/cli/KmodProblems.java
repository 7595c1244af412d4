package org.kmodpack.cli;

import org.kmodpack.modules.KmodProblem;

/**
 * libkmod's log lines for the problems it skips, as kmod 30 (Debian 12's build) prints them: with the libkmod
 * source file, line and function they come from, so that the output compares byte for byte with kmod's.
 */
final class KmodProblems {
    private static final String CONFIG = "libkmod: ERROR ../libkmod/libkmod-config.c:";

    private KmodProblems() {
    }

    static String message(KmodProblem problem) {
        return switch (problem.kind()) {
            case CONFIG_DIRECTORY_UNREADABLE -> CONFIG + "868 conf_files_list: opendir(" + problem.subject() + "): "
                    + problem.detail();
            case CONFIG_SUBDIRECTORY -> CONFIG + "772 conf_files_filter_out: Directories inside directories are not "
                    + "supported: " + problem.subject();
            case CONFIG_COMMAND_DEPRECATED -> CONFIG + "708 kmod_config_parse: " + problem.subject() + ": command "
                    + problem.detail() + " is deprecated and not parsed anymore";
            case CONFIG_BAD_LINE -> CONFIG + "712 kmod_config_parse: " + problem.subject() + " line " + problem.line()
                    + ": ignoring bad line starting with '" + problem.detail() + "'";
            case CMDLINE_BAD_OPTION -> CONFIG + "489 kcmdline_parse_result: Ignoring bad option on kernel command "
                    + "line while parsing module name: '" + problem.subject() + "'";
            case SOFTDEP_NOT_FOUND -> "modprobe: ERROR: ../libkmod/libkmod-module.c:1567 lookup_softdep() failed to "
                    + "lookup soft dependency '" + problem.subject() + "', continuing anyway.";
            case CONFIG_FILE_UNREADABLE, INDEX_INPUT_MISSING, ORDER_LINE_UNTERMINATED, MODULE_UNREADABLE,
                    SYMBOL_UNKNOWN, SYMBOL_VERSION_MISMATCH, ALIAS_UNMATCHED_BRACKET, ALIAS_DUPLICATE,
                    DEVNAME_WITHOUT_NUMBERS, BUILTIN_LINE_INVALID, SYMBOL_MAP_LINE_INVALID, SYMVERS_VERSION_INVALID ->
                DepmodMessages.message(problem, ".");
        };
    }
}
