package org.kmodpack.fuse;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/** What /proc/self/mountinfo says about a mount point: the kernel's view, not libfuse's. */
public final class MountTable {
    private static final Path MOUNTINFO = Path.of("/proc/self/mountinfo");

    private MountTable() {
    }

    /** The file system type at exactly {@code mountPoint} (e.g. "fuse.kmodpack"), if something is mounted there. */
    public static Optional<String> typeAt(Path mountPoint) throws IOException {
        String wanted = mountPoint.toAbsolutePath().normalize().toString();
        Optional<String> type = Optional.empty();
        for (String line : Files.readAllLines(MOUNTINFO)) {
            // id parent major:minor root mount-point options [optional fields] - type source super-options
            String[] fields = line.split(" ");
            int separator = java.util.Arrays.asList(fields).indexOf("-");
            if (fields.length > 4 && separator > 0 && separator + 1 < fields.length
                    && unescape(fields[4]).equals(wanted)) {
                type = Optional.of(fields[separator + 1]); // the last mount on a path is the visible one
            }
        }
        return type;
    }

    /** mountinfo writes space, tab, newline and backslash as octal escapes. */
    private static String unescape(String field) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < field.length(); i++) {
            char c = field.charAt(i);
            if (c == '\\' && i + 3 < field.length()) {
                out.append((char) Integer.parseInt(field.substring(i + 1, i + 4), 8));
                i += 3;
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }
}
