package org.kmodpack.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.kmodpack.reader.Bundle;
import org.kmodpack.reader.Extractor;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "extract", mixinStandardHelpOptions = true,
        description = {"Unpack a bundle (or some of its paths) into DEST, created if absent.",
            "Restores contents, modes, mtimes, hard links and symlinks (verbatim, never followed), and "
                + "ownership when run as root. Never writes outside DEST."},
        footer = {"", "Examples:", "  kmodpack extract modules-6.1.0-28-amd64.kpack /lib/modules/6.1.0-28-amd64",
            "  kmodpack extract modules-6.1.0-28-amd64.kpack /tmp/fs kernel/fs/btrfs modules.dep",
            "  kmodpack extract --firmware modules-6.1.0-28-amd64.kpack /tmp/firmware"})
final class ExtractCommand extends Subcommand {
    @Mixin
    BundleArgument bundleArgument;

    @Parameters(index = "1", paramLabel = "DEST", description = "Directory to write the tree into.")
    Path destination;

    @Parameters(index = "2..*", paramLabel = "PATH", description = "Only these paths (and what is under them).")
    List<String> paths = List.of();

    @Option(names = "--firmware", description = "Extract the bundle's firmware tree instead (DEST becomes a firmware "
            + "directory such as /lib/firmware; PATHs are relative to it).")
    boolean firmware;

    @Mixin
    ProgressOptions progress;

    @Override
    public Integer call() throws Exception {
        try (Bundle bundle = bundleArgument.open()) {
            boolean root = runningAsRoot();
            Extractor.Result result = progress.during(err(), "extracting " + bundleArgument.location + " into "
                    + destination, "files", bar -> firmware
                            ? Extractor.extractFirmware(bundle, destination, paths, root, bar)
                            : Extractor.extract(bundle, destination, paths, root, bar));
            progress.summary(out(), "%s: %d files (%s), %d directories, %d symlinks%n", destination,
                    result.files(), Sizes.human(result.bytes()), result.directories(), result.symlinks());
        }
        return 0;
    }

    private static boolean runningAsRoot() throws IOException {
        return Integer.valueOf(0).equals(Files.getAttribute(Path.of("/proc/self"), "unix:uid"));
    }
}
