package org.kmodpack.fuse;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * What /proc/self/mountinfo says about a mount point: the kernel's view, not libfuse's. The kernel writes
 * mount points as real paths (merged /usr: /usr/lib/modules/KVER, never /lib/modules/KVER), so every lookup
 * resolves the caller's path first.
 */
public final class MountTable {
    /** libfuse's subtype of a module directory's mount. */
    static final String SUBTYPE = "kmodpack";
    /** kmodpack's file system type as the kernel shows it ("fuse." + libfuse's subtype). */
    public static final String TYPE = "fuse." + SUBTYPE;
    /** libfuse's subtype of the mount of a bundle's firmware, which the daemon of its module directory serves. */
    static final String FIRMWARE_SUBTYPE = "kmodpack-firmware";
    public static final String FIRMWARE_TYPE = "fuse." + FIRMWARE_SUBTYPE;

    private static final Path MOUNTINFO = Path.of("/proc/self/mountinfo");
    private static final int MAX_SYMLINKS = 40;

    /** One line of mountinfo: where, what type, and the source (for kmodpack, the bundle). */
    public record Mount(Path mountPoint, String type, String source) {
        public boolean isKmodpack() {
            return type.equals(TYPE);
        }

        public boolean isFirmware() {
            return type.equals(FIRMWARE_TYPE);
        }

        public boolean isKmodpackOrFirmware() {
            return isKmodpack() || isFirmware();
        }
    }

    private MountTable() {
    }

    /** The visible mount at {@code path}, after resolving it as the kernel would. */
    public static Optional<Mount> at(Path path) throws IOException {
        return atRealPath(realPath(path));
    }

    /** The file system type at {@code path} (e.g. "fuse.kmodpack"), if something is mounted there. */
    public static Optional<String> typeAt(Path path) throws IOException {
        return at(path).map(Mount::type);
    }

    private static Optional<Mount> atRealPath(Path real) throws IOException {
        Optional<Mount> found = Optional.empty();
        for (Mount mount : all()) {
            if (mount.mountPoint().equals(real)) {
                // the last mount on a path is the visible one
                found = Optional.of(mount);
            }
        }
        return found;
    }

    /** The firmware mounts of {@code source} (a bundle): those its module directory's daemon serves. */
    public static java.util.List<Mount> firmwareOf(String source) throws IOException {
        return all().stream().filter(mount -> mount.isFirmware() && mount.source().equals(source)).toList();
    }

    private static java.util.List<Mount> all() throws IOException {
        java.util.List<Mount> mounts = new java.util.ArrayList<>();
        for (String line : Files.readAllLines(MOUNTINFO)) {
            // id parent major:minor root mount-point options [optional fields] - type source super-options
            String[] fields = line.split(" ");
            int separator = java.util.Arrays.asList(fields).indexOf("-");
            if (fields.length > 4 && separator > 0 && separator + 2 < fields.length) {
                mounts.add(new Mount(Path.of(unescape(fields[4])), fields[separator + 1],
                        unescape(fields[separator + 2])));
            }
        }
        return mounts;
    }

    /**
     * {@code path} with every symlink resolved, as the kernel resolves it. Unlike {@link Path#toRealPath}, this
     * also works for a path that does not exist yet and for a dead FUSE mount, whose stat fails with "Transport
     * endpoint is not connected": only the components that are symlinks are read.
     */
    public static Path realPath(Path path) throws IOException {
        Path absolute = path.toAbsolutePath();
        Path resolved = absolute.getRoot();
        int links = 0;
        java.util.ArrayDeque<Path> pending = new java.util.ArrayDeque<>();
        absolute.forEach(pending::addLast);
        while (!pending.isEmpty()) {
            String name = pending.removeFirst().toString();
            if (name.equals(".")) {
                continue;
            }
            if (name.equals("..")) {
                resolved = resolved.getParent() != null ? resolved.getParent() : resolved;
                continue;
            }
            Path next = resolved.resolve(name);
            if (Files.isSymbolicLink(next)) {
                if (++links > MAX_SYMLINKS) {
                    throw new java.nio.file.FileSystemException(path.toString(), null, "too many levels of symbolic links");
                }
                Path target = Files.readSymbolicLink(next);
                java.util.List<Path> parts = new java.util.ArrayList<>();
                target.forEach(parts::add);
                for (int i = parts.size() - 1; i >= 0; i--) {
                    pending.addFirst(parts.get(i));
                }
                if (target.isAbsolute()) {
                    resolved = target.getRoot();
                }
            } else {
                resolved = next;
            }
        }
        return resolved;
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
