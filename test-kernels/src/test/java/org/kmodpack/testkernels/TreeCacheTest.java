package org.kmodpack.testkernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TreeCacheTest {
    /** The smallest tree, so that building it from scratch in these tests stays cheap. */
    private static final SyntheticKernel SMALL = SyntheticKernel.I686;

    @Test
    void secondCallReusesTheBuiltTree() throws IOException {
        Path root = SyntheticKernels.root(SMALL);
        Object before = Files.readAttributes(root, BasicFileAttributes.class).fileKey();
        assertEquals(root, SyntheticKernels.root(SMALL));
        assertEquals(before, Files.readAttributes(root, BasicFileAttributes.class).fileKey());
    }

    @Test
    void twoJvmsAskingAtOnceGetOneCompleteTree(@TempDir Path temp) throws Exception {
        Commands.require(Toolchain.I686.compiler(), Toolchain.I686.debianPackage());
        Path testKernels = fakeModuleDir(temp);
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<Process> children = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            children.add(new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                    "-D" + TestKernelsLocation.PROPERTY + "=" + testKernels, BuildTreeMain.class.getName(), SMALL.name())
                    .redirectError(temp.resolve("child" + i + ".err").toFile())
                    .redirectOutput(temp.resolve("child" + i + ".out").toFile())
                    .start());
        }
        Path expected = testKernels.resolve("target/synthetic/i686/lib/modules/" + SMALL.kernelVersion());
        for (int i = 0; i < children.size(); i++) {
            int exit = children.get(i).waitFor();
            String stderr = Files.readString(temp.resolve("child" + i + ".err"));
            assertEquals(0, exit, stderr);
            assertEquals(expected.toString(), Files.readString(temp.resolve("child" + i + ".out")).strip());
        }
        assertTrue(Files.isRegularFile(expected.resolve("modules.dep.bin")));
        try (Stream<Path> synthetic = Files.list(testKernels.resolve("target/synthetic"))) {
            assertFalse(synthetic.anyMatch(path -> path.getFileName().toString().contains(".building-")));
        }
    }

    @Test
    void treeFromAnotherGeneratorVersionIsRebuilt(@TempDir Path temp) throws IOException {
        Path testKernels = fakeModuleDir(temp);
        String previous = System.setProperty(TestKernelsLocation.PROPERTY, testKernels.toString());
        try {
            Path root = SyntheticKernels.root(SMALL);
            Path marker = root.resolve(TreeCache.MARKER);
            String stamp = Files.readString(marker);
            Files.writeString(marker, "generator 0\n", StandardCharsets.UTF_8);
            Path planted = root.resolve("lib/planted-by-test");
            Files.writeString(planted, "stale");
            assertEquals(root, SyntheticKernels.root(SMALL));
            assertEquals(stamp, Files.readString(marker));
            assertFalse(Files.exists(planted));
        } finally {
            if (previous == null) {
                System.clearProperty(TestKernelsLocation.PROPERTY);
            } else {
                System.setProperty(TestKernelsLocation.PROPERTY, previous);
            }
        }
    }

    @Test
    void locationIsFoundFromTheWorkingDirectory() {
        Path moduleDir = TestKernelsLocation.moduleDir();
        assertEquals("test-kernels", moduleDir.getFileName().toString());
        assertTrue(Files.isExecutable(TestKernelsLocation.fetchScript()));
    }

    /** A directory that TestKernelsLocation accepts as the test-kernels module, so trees go to a private place. */
    private static Path fakeModuleDir(Path temp) throws IOException {
        Path testKernels = Files.createDirectories(temp.resolve("test-kernels"));
        Files.writeString(testKernels.resolve("fetch-debian-kernel"), "");
        return testKernels;
    }
}
