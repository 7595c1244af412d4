package org.kmodpack.cli;

import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.util.ArrayList;
import java.util.List;
import org.kmodpack.modules.FirmwareFiles;
import org.kmodpack.reader.Bundle;
import org.kmodpack.reader.Entry;

/**
 * What {@code ls --firmware} shows: a bundle's firmware tree, each file with the modules whose firmware= fields ask
 * for it, and (listing the whole tree) the names they ask for that it lacks.
 */
final class FirmwareListing {
    private final Entry entry;
    private final FirmwareFiles.Wants wants;
    private final boolean wholeTree;

    private FirmwareListing(Entry entry, FirmwareFiles.Wants wants, boolean wholeTree) {
        this.entry = entry;
        this.wants = wants;
        this.wholeTree = wholeTree;
    }

    static FirmwareListing of(Bundle bundle, String path) throws IOException {
        Entry root = bundle.firmwareRoot().orElseThrow(() -> new IOException(bundle
                + ": carries no firmware; pack it with --firmware DIR to add what its modules ask for"));
        Entry entry = bundle.findFirmware(path).orElseThrow(() -> new NoSuchFileException(bundle + ": " + path, null,
                "not in the bundle's firmware; give a path relative to it, such as kmodpack ls --firmware lists"));
        return new FirmwareListing(entry, FirmwareFiles.wants(bundle), entry.equals(root));
    }

    /** The entry PATH names in the firmware tree. */
    Entry entry() {
        return entry;
    }

    List<String> modulesOf(Entry file) {
        return List.copyOf(wants.files().getOrDefault(file.path(), java.util.Collections.emptySortedSet()));
    }

    /** What follows a file's line: the modules that ask for it, if any. */
    String wantedBy(Entry file) {
        List<String> modules = modulesOf(file);
        return modules.isEmpty() ? "" : "\t(for " + String.join(" ", modules) + ")";
    }

    List<String> missingLines() {
        List<String> lines = new ArrayList<>();
        if (wholeTree) {
            wants.missing().forEach((name, modules) -> lines.add(name + "\t(missing, for "
                    + String.join(" ", modules) + ")"));
        }
        return lines;
    }
}
