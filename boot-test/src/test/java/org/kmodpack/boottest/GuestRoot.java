package org.kmodpack.boottest;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import org.kmodpack.testkernels.Directories;

/**
 * One boot's own root file system: an overlay mount whose lower layer is the cached Debian root (never written)
 * and whose upper layer lives in a scratch directory, unmounted and deleted on close, so no boot sees another's
 * files and the cache stays as mmdebstrap made it. Needs root (mount).
 */
final class GuestRoot implements AutoCloseable {
    private final Path scratch;
    private final Path merged;
    private final Deque<Path> mounts = new ArrayDeque<>();

    private GuestRoot(Path scratch) {
        this.scratch = scratch;
        this.merged = scratch.resolve("root");
    }

    /** Mounts a copy-on-write root over {@code lower} in a new directory under {@code parent}. */
    static GuestRoot over(Path lower, Path parent) throws IOException {
        GuestRoot root = new GuestRoot(Files.createTempDirectory(parent, "guest-"));
        try {
            for (String dir : List.of("upper", "work", "root")) {
                Files.createDirectory(root.scratch.resolve(dir));
            }
            root.mount(List.of("mount", "-t", "overlay", "overlay", "-o", "lowerdir=" + lower + ",upperdir="
                    + root.scratch.resolve("upper") + ",workdir=" + root.scratch.resolve("work"),
                    root.merged.toString()), root.merged);
            return root;
        } catch (IOException | RuntimeException e) {
            root.close();
            throw e;
        }
    }

    /** The root as the guest sees it: write the boot's files here before booting. */
    Path path() {
        return merged;
    }

    /** Shows {@code moduleDir} read-only at /usr/lib/modules/{@code kver} (so at /lib/modules/KVER too), without a copy. */
    void bindModules(Path moduleDir, String kver) throws IOException {
        Path target = merged.resolve("usr/lib/modules/" + kver);
        Files.createDirectories(target);
        mount(List.of("mount", "--bind", "-o", "ro", moduleDir.toString(), target.toString()), target);
    }

    /**
     * Shows {@code file} read-only at {@code guestPath}, without a copy: the same host file at every boot, as a
     * system's own /boot file is the same file at each of its boots.
     */
    void bindFile(Path file, String guestPath) throws IOException {
        Path target = merged.resolve(guestPath);
        Files.createDirectories(target.getParent());
        Files.createFile(target);
        mount(List.of("mount", "--bind", "-o", "ro", file.toString(), target.toString()), target);
    }

    private void mount(List<String> command, Path target) throws IOException {
        Host.check(command);
        mounts.push(target);
    }

    @Override
    public void close() throws IOException {
        IOException failure = null;
        while (!mounts.isEmpty()) {
            Path target = mounts.pop();
            try {
                Host.check(List.of("umount", target.toString()));
            } catch (IOException e) {
                failure = failure == null ? e : failure;
            }
        }
        if (failure != null) {
            throw new IOException("left mounted under " + scratch + "; unmount it by hand", failure);
        }
        Directories.deleteRecursively(scratch);
    }
}
