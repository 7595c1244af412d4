package org.kmodpack.testkernels;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Finds the test-kernels module directory from whichever module's tests are running, so that every
 * module shares one set of generated trees under test-kernels/target/synthetic.
 */
final class TestKernelsLocation {
    static final String PROPERTY = "kmodpack.testkernels.dir";
    private static final String MODULE_DIR = "test-kernels";
    private static final String FETCH_SCRIPT = "fetch-debian-kernel";

    private TestKernelsLocation() {
    }

    /** The test-kernels directory: the system property if set, else test-kernels/ in the nearest ancestor that has it. */
    static Path moduleDir() {
        String configured = System.getProperty(PROPERTY);
        if (configured != null && !configured.isBlank()) {
            Path dir = Path.of(configured).toAbsolutePath().normalize();
            if (!Files.isRegularFile(dir.resolve(FETCH_SCRIPT))) {
                throw new IllegalStateException("-D" + PROPERTY + "=" + configured
                        + " does not point at the kmodpack test-kernels module (no " + FETCH_SCRIPT + " there)");
            }
            return dir;
        }
        Path start = Path.of("").toAbsolutePath();
        for (Path dir = start; dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolve(MODULE_DIR);
            if (Files.isRegularFile(candidate.resolve(FETCH_SCRIPT))) {
                return candidate;
            }
        }
        throw new IllegalStateException("no " + MODULE_DIR + "/" + FETCH_SCRIPT + " in " + start
                + " or any parent; run inside the kmodpack checkout or pass -D" + PROPERTY + "=/path/to/test-kernels");
    }

    static Path syntheticDir() {
        return moduleDir().resolve("target").resolve("synthetic");
    }

    static Path fetchScript() {
        return moduleDir().resolve(FETCH_SCRIPT);
    }

    static Path fetchFirmwareScript() {
        return moduleDir().resolve("fetch-debian-firmware");
    }
}
