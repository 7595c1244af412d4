package org.kmodpack.cli;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import org.kmodpack.reader.Bundle;
import org.kmodpack.reader.Entry;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

@Command(name = "cat", mixinStandardHelpOptions = true,
        description = "Write a file of the bundle to standard output.",
        footer = {"", "Example:", "  kmodpack cat modules-6.1.0-28-amd64.kpack modules.dep | grep btrfs"})
final class CatCommand extends Subcommand {
    private static final int BUFFER = 1 << 20;

    @Mixin
    BundleArgument bundleArgument;

    @Parameters(index = "1", paramLabel = "PATH",
            description = "Path of a regular file inside the bundle: relative to the module directory, or "
                    + "/lib/modules/KVER/...")
    String path;

    @Override
    public Integer call() throws Exception {
        try (Bundle bundle = bundleArgument.open()) {
            Entry entry = bundle.get(BundlePaths.relative(bundle, bundleArgument.location, path));
            if (!entry.isFile()) {
                throw new IOException(bundleArgument.location + ": " + entry.path() + " is a "
                        + (entry.isSymlink() ? "symlink to " + entry.symlinkTarget() + " (not followed)" : "directory")
                        + ", not a regular file");
            }
            java.io.PrintStream out = System.out;
            ByteBuffer buffer = ByteBuffer.allocate(BUFFER);
            long position = 0;
            // A failed write ends the copy; Main reports it ("write error: ...") and fails the command.
            for (int n; (n = bundle.read(entry, position, buffer.clear())) > 0 && !out.checkError(); position += n) {
                out.write(buffer.array(), 0, n);
            }
            out.flush();
        }
        return 0;
    }
}
