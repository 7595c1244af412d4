package org.kmodpack.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.kmodpack.fuse.MountTable;
import org.kmodpack.fuse.Unmount;
import org.kmodpack.testkernels.TestData;

/**
 * The mount points a test mounted, unmounted after it whether it passed or not, so that a failed test leaves no
 * daemon behind for the next (register with {@code @RegisterExtension}).
 */
final class MountPoints implements AfterEachCallback {
    private final List<Path> mounted = new ArrayList<>();

    /** Skips, or with KMODPACK_REQUIRE_TEST_DATA=1 fails, where FUSE is not available. */
    static void requireFuse() {
        if (!Files.exists(Path.of("/dev/fuse"))) {
            TestData.unavailable("/dev/fuse is missing: load the fuse module (modprobe fuse)");
        }
    }

    void add(Path mountPoint) {
        mounted.add(mountPoint);
    }

    @Override
    public void afterEach(ExtensionContext context) throws IOException {
        for (Path mountPoint : mounted) {
            if (MountTable.at(mountPoint).filter(MountTable.Mount::isKmodpackOrFirmware).isPresent()) {
                Unmount.unmount(mountPoint);
            }
        }
        mounted.clear();
    }
}
