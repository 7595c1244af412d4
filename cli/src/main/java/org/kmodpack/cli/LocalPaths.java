package org.kmodpack.cli;

import java.nio.file.Path;
import java.util.regex.Pattern;

/**
 * A local file named on the command line. A URL given where a file is needed is refused in words: Path would
 * fold its "//" and every later message would name another thing (https:/example.com/...).
 */
final class LocalPaths {
    private static final Pattern URL = Pattern.compile("[A-Za-z][A-Za-z0-9+.-]*://.*");

    private LocalPaths() {
    }

    static boolean isUrl(String text) {
        return URL.matcher(text).matches();
    }

    /** {@code text} as a path; IllegalArgumentException, in the user's words, for a URL. */
    static Path of(String text) {
        if (isUrl(text)) {
            throw new IllegalArgumentException("'" + text + "' is a URL; this takes a local file (kmodpack pull or "
                    + "curl -o FILE fetches one)");
        }
        return Path.of(text);
    }
}
