package org.kmodpack.cli;

import java.io.IOException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;

/**
 * A file a command writes (a bundle, an initramfs): checked before the work, so that a wrong destination fails
 * in a second and not after minutes of compression, and its failures named by the path the user gave, never
 * by the temporary file written beside it.
 */
final class OutputFile {
    /** Write errors that belong to the destination's file system, whichever file the exception names. */
    private static final Set<String> WRITE_ERRORS = Set.of("No space left on device", "Disk quota exceeded",
            "File too large", "Read-only file system");

    private OutputFile() {
    }

    /** Fails, naming {@code output}, unless a file can be written there. */
    static void checkWritable(Path output) throws IOException {
        Path absolute = output.toAbsolutePath();
        if (Files.isDirectory(absolute)) {
            throw new IOException(output + ": is a directory; give the name of the file to write (-o "
                    + output.resolve("NAME") + ")");
        }
        Path directory = absolute.getParent();
        if (!Files.isDirectory(directory)) {
            throw new IOException(output + ": directory " + directory + " does not exist; create it first (mkdir -p "
                    + directory + ")");
        }
        if (!Files.isWritable(directory)) {
            throw new IOException(output + ": cannot create files in " + directory + " (permission denied or a "
                    + "read-only file system); write somewhere else with -o");
        }
    }

    /**
     * {@code failure} named by {@code output} when it concerns the file being written (the staged file beside
     * it, or a full or read-only file system); otherwise {@code failure} as it is, since it names its own file.
     */
    static IOException named(Path output, IOException failure) {
        // Staged files are written beside the destination as .NAME.tmp-PID-RANDOM (pack, sign) or .NAMERANDOM.tmp.
        String staged = "." + output.toAbsolutePath().getFileName();
        if (failure instanceof FileSystemException fileSystem && fileSystem.getFile() != null
                && Path.of(fileSystem.getFile()).getFileName().toString().startsWith(staged)) {
            return new IOException(output + ": " + Main.reason(fileSystem), failure);
        }
        if (failure.getMessage() != null && WRITE_ERRORS.contains(failure.getMessage())) {
            return new IOException(output + ": " + failure.getMessage() + "; nothing was written (free space or "
                    + "write elsewhere with -o)", failure);
        }
        return failure;
    }
}
