package org.kmodpack.testkernels;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.EnumMap;
import java.util.HexFormat;
import java.util.Map;

/**
 * Builds each synthetic tree once and shares it between threads and between the JVMs of a parallel Maven build.
 * A tree is built in a staging directory and renamed into place, so a visible tree is always complete; a file lock
 * keeps two JVMs from building the same tree at once. A tree is reused while its marker file matches the
 * generator version and the tree definition.
 */
final class TreeCache {
    /** Bump when the output changes in a way a {@link TreeSpec} does not show (compiler flags, C layout, modes). */
    static final int GENERATOR_VERSION = 1;
    static final String MARKER = ".kmodpack-test-kernel";

    /** FileLock excludes other JVMs only; threads of this JVM are serialised here. */
    private static final Map<SyntheticKernel, Object> THREAD_LOCKS = new EnumMap<>(SyntheticKernel.class);

    static {
        for (SyntheticKernel kernel : SyntheticKernel.values()) {
            THREAD_LOCKS.put(kernel, new Object());
        }
    }

    private TreeCache() {
    }

    static Path root(SyntheticKernel kernel) throws IOException {
        TreeSpec spec = kernel.spec();
        String stamp = "generator " + GENERATOR_VERSION + "\nspec " + sha256(spec.toString()) + "\n";
        Path base = TestKernelsLocation.syntheticDir();
        Path root = base.resolve(kernel.directoryName());
        if (isCurrent(root, stamp)) {
            return root;
        }
        Files.createDirectories(base);
        synchronized (THREAD_LOCKS.get(kernel)) {
            Path lockFile = base.resolve("." + kernel.directoryName() + ".lock");
            try (FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
                // Held until the channel closes.
                channel.lock();
                if (!isCurrent(root, stamp)) {
                    build(spec, base, root, stamp);
                }
                return root;
            }
        }
    }

    private static void build(TreeSpec spec, Path base, Path root, String stamp) throws IOException {
        String stagingPrefix = "." + root.getFileName() + ".building-";
        // Holding the lock, any staging directory left here is from a build that died.
        try (DirectoryStream<Path> leftovers = Files.newDirectoryStream(base, stagingPrefix + "*")) {
            for (Path leftover : leftovers) {
                Directories.deleteRecursively(leftover);
            }
        }
        Path staging = Files.createTempDirectory(base, stagingPrefix);
        Path stagingRoot = staging.resolve("root");
        var modes = new TreeWriter(spec, stagingRoot).write(staging.resolve("scratch"));
        Files.writeString(stagingRoot.resolve(MARKER), stamp, StandardCharsets.UTF_8);
        TreeFinisher.finish(stagingRoot, modes);
        if (Files.exists(root)) {
            Files.move(root, staging.resolve("stale"), StandardCopyOption.ATOMIC_MOVE);
        }
        Files.move(stagingRoot, root, StandardCopyOption.ATOMIC_MOVE);
        // Moving a directory rewrites its ".." entry, which may touch its mtime.
        TreeFinisher.stamp(root);
        Directories.deleteRecursively(staging);
    }

    private static boolean isCurrent(Path root, String stamp) throws IOException {
        try {
            return Files.readString(root.resolve(MARKER), StandardCharsets.UTF_8).equals(stamp);
        } catch (NoSuchFileException e) {
            return false;
        }
    }

    private static String sha256(String text) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            return HexFormat.of().formatHex(digest.digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime must provide SHA-256", e);
        }
    }
}
