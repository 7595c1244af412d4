package org.kmodpack.testkernels;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Real Debian kernel packages, and their module trees unpacked and depmod'ed, by test-kernels/fetch-debian-kernel
 * into the kmodpack cache. The first call per flavour may download a package (about 30 s); later calls only read the cache.
 */
public final class DebianKernels {
    private DebianKernels() {
    }

    /**
     * The module directory ROOT/lib/modules/KVER of the current Debian kernel of {@code flavour} ("cloud" or
     * "amd64"); ROOT/boot holds its vmlinuz. Skips the test (fails it under KMODPACK_REQUIRE_TEST_DATA=1) when the
     * package cannot be had.
     */
    public static Path moduleDir(String flavour) {
        ProcessResult result = runScript(flavour);
        String output = result.stdout().strip();
        Path moduleDir = output.isEmpty() ? null : Path.of(output.substring(output.lastIndexOf('\n') + 1));
        if (!result.succeeded() || moduleDir == null || !Files.isRegularFile(moduleDir.resolve("modules.dep.bin"))) {
            TestData.unavailable("Debian " + flavour + " kernel unavailable: " + result.describe());
        }
        return moduleDir;
    }

    /**
     * The current Debian kernel image package of {@code flavour} ("cloud" or "amd64"), as downloaded: what
     * {@code kmodpack pack PACKAGE.deb} reads. Skips the test (fails it under KMODPACK_REQUIRE_TEST_DATA=1) when it
     * cannot be had.
     */
    public static Path deb(String flavour) {
        ProcessResult result = runScript("--deb", flavour);
        String output = result.stdout().strip();
        Path deb = output.isEmpty() ? null : Path.of(output.substring(output.lastIndexOf('\n') + 1));
        if (!result.succeeded() || deb == null || !Files.isRegularFile(deb)) {
            TestData.unavailable("Debian " + flavour + " kernel package unavailable: " + result.describe());
        }
        return deb;
    }

    private static ProcessResult runScript(String... arguments) {
        Path script = TestKernelsLocation.fetchScript();
        List<String> command = new ArrayList<>(List.of("bash", script.toString()));
        command.addAll(List.of(arguments));
        try {
            return Commands.run(script.getParent(), command);
        } catch (IOException e) {
            return new ProcessResult(command, -1, "", "cannot start bash: " + e.getMessage());
        }
    }
}
