package org.kmodpack.packer;

import java.nio.file.Path;
import java.util.List;

/**
 * Which firmware a bundle carries: from {@code directories} (searched in order, each as the kernel's loader
 * searches /lib/firmware), the files its modules name in their {@code firmware=} fields, plus {@code extraNames}
 * (files drivers load without declaring them), or with {@code all} every file of the directories.
 */
public record FirmwareSelection(List<Path> directories, List<String> extraNames, boolean all) {
    /** No firmware: the bundle is what the packer wrote before firmware existed, byte for byte. */
    public static final FirmwareSelection NONE = new FirmwareSelection(List.of(), List.of(), false);

    public FirmwareSelection {
        directories = List.copyOf(directories);
        extraNames = List.copyOf(extraNames);
        if (directories.isEmpty() && (all || !extraNames.isEmpty())) {
            throw new IllegalArgumentException("firmware names need a firmware directory to take them from");
        }
    }

    public boolean isNone() {
        return directories.isEmpty();
    }
}
