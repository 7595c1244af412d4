package org.kmodpack.fuse;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.kmodpack.testkernels.TestData;

/** Skips (or, under KMODPACK_REQUIRE_TEST_DATA=1 as in CI, fails) a test where FUSE cannot work. */
final class FuseAvailability {
    private FuseAvailability() {
    }

    static void require() throws IOException, InterruptedException {
        if (!Files.exists(Path.of("/dev/fuse"))) {
            TestData.unavailable("/dev/fuse is missing: load the fuse module (modprobe fuse)");
        }
        Process ldconfig = new ProcessBuilder("sh", "-c", "ldconfig -p | grep -q 'libfuse.so.2 '").start();
        if (ldconfig.waitFor() != 0) {
            TestData.unavailable("libfuse.so.2 is not installed: apt-get install fuse libfuse2");
        }
        Process fusermount = new ProcessBuilder("sh", "-c", "command -v fusermount").start();
        if (fusermount.waitFor() != 0) {
            TestData.unavailable("fusermount is not installed: apt-get install fuse");
        }
    }
}
