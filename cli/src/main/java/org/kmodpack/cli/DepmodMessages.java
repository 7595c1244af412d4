package org.kmodpack.cli;

import org.kmodpack.modules.Errno;
import org.kmodpack.modules.KmodProblem;

/**
 * kmod 30's depmod's words for the problems our depmod reports ("depmod: ERROR: …", "depmod: WARNING: …"), with
 * paths under the module directory written in full, as depmod writes them.
 */
final class DepmodMessages {
    private static final String ERROR = "depmod: ERROR: ";
    private static final String WARNING = "depmod: WARNING: ";
    static final String FATAL = "depmod: FATAL: ";

    private DepmodMessages() {
    }

    /** {@code moduleDir} is the module directory as depmod names it (ROOT/lib/modules/KVER). */
    static String message(KmodProblem problem, String moduleDir) {
        String subject = problem.subject();
        String module = fullPath(moduleDir, subject);
        return switch (problem.kind()) {
            case CONFIG_BAD_LINE -> ERROR + subject + ":" + problem.line() + ": ignoring bad line starting with '"
                    + problem.detail() + "'";
            case CONFIG_SUBDIRECTORY -> ERROR + "Directories inside directories are not supported: " + subject;
            case CONFIG_FILE_UNREADABLE -> ERROR + "file parse " + subject + ": " + problem.detail();
            case CONFIG_DIRECTORY_UNREADABLE -> ERROR + "files list " + subject + ": " + problem.detail();
            case INDEX_INPUT_MISSING -> WARNING + "could not open " + subject + " at " + moduleDir + ": "
                    + Strerror.of(Errno.ENOENT);
            case ORDER_LINE_UNTERMINATED -> ERROR + moduleDir + "/" + subject + ":" + problem.line()
                    + " corrupted line misses '\\n'";
            case MODULE_UNREADABLE -> ERROR + "failed to load symbols from " + module + ": "
                    + Strerror.of(Integer.parseInt(problem.detail()));
            case SYMBOL_UNKNOWN -> WARNING + module + " needs unknown symbol " + problem.detail();
            case SYMBOL_VERSION_MISMATCH -> WARNING + module + " disagrees about version of symbol "
                    + problem.detail();
            case ALIAS_UNMATCHED_BRACKET -> WARNING + "Unmatched bracket in " + subject;
            case ALIAS_DUPLICATE -> WARNING + "duplicate module alias:\n" + subject + " " + problem.detail();
            case DEVNAME_WITHOUT_NUMBERS -> ERROR + "Module '" + subject + "' has devname (" + problem.detail()
                    + ") but lacks major and minor information. Ignoring.";
            // The line keeps its newline and depmod adds one, so an empty line follows.
            case BUILTIN_LINE_INVALID -> ERROR + "Invalid modules.builtin line: " + problem.detail();
            case SYMBOL_MAP_LINE_INVALID -> ERROR + subject + ":" + problem.line() + ": invalid line: "
                    + problem.detail();
            // depmod prints errno here, which strtoull does not set: what it shows is left from its search of
            // the default configuration folders, none of which exists on Debian.
            case SYMVERS_VERSION_INVALID -> ERROR + subject + ":" + problem.line() + " Invalid symbol version "
                    + problem.detail() + ": " + Strerror.of(Errno.ENOENT);
            default -> KmodProblems.message(problem);
        };
    }

    /** A module's path as depmod prints it: under the module directory, or absolute as given. */
    static String fullPath(String moduleDir, String path) {
        return path.startsWith("/") ? path : moduleDir + "/" + path;
    }
}
