package org.kmodpack.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.kmodpack.format.EntryKind;
import org.kmodpack.reader.Bundle;
import org.kmodpack.reader.Entry;
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
            if (paths.isEmpty()) {
                checkFreeSpace(firmware ? bundle.firmwareEntries() : bundle.entries());
            }
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

    /**
     * Fails before anything is written when the file system DEST is on has less room than the whole tree's file
     * contents (a hard-linked file's once): the one extraction whose size is known before it starts.
     */
    private void checkFreeSpace(List<Entry> entries) throws IOException {
        Map<Integer, Long> sizeByInode = entries.stream().filter(entry -> entry.kind() == EntryKind.FILE)
                .collect(Collectors.toMap(Entry::inode, Entry::size, (first, link) -> first));
        long needed = sizeByInode.values().stream().mapToLong(Long::longValue).sum();
        Path existing = destination.toAbsolutePath();
        while (!Files.exists(existing) && existing.getParent() != null) {
            existing = existing.getParent();
        }
        long free = Files.getFileStore(existing).getUsableSpace();
        if (free < needed) {
            throw new IOException(destination + ": the files need " + Sizes.human(needed) + " and the file system has "
                    + Sizes.human(free) + " free; free space or extract elsewhere");
        }
    }

    private static boolean runningAsRoot() throws IOException {
        return Integer.valueOf(0).equals(Files.getAttribute(Path.of("/proc/self"), "unix:uid"));
    }
}
