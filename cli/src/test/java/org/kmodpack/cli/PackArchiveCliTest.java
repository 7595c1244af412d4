package org.kmodpack.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.kmodpack.modules.Depmod;
import org.kmodpack.testkernels.Commands;
import org.kmodpack.testkernels.HardLinkedTree;
import org.kmodpack.testkernels.SyntheticKernel;
import org.kmodpack.testkernels.SyntheticKernels;

/**
 * {@code kmodpack pack} of archives made by GNU tar (a file, a pipe, damaged or wrong sources), and of a directory
 * without depmod's output.
 */
class PackArchiveCliTest {
    @TempDir
    Path work;

    /** The synthetic tree as a .tar.xz without the index files, which kmodpack's depmod then writes. */
    private Path tarOfBasic() throws IOException {
        Path root = SyntheticKernels.root(SyntheticKernel.BASIC);
        List<String> command = new ArrayList<>(List.of("tar", "-C", root.toString(), "-cJf",
                work.resolve("basic.tar.xz").toString()));
        for (String index : Depmod.INDEX_FILES) {
            command.add("--exclude=" + index);
        }
        command.add("lib");
        Commands.check(work, command);
        return work.resolve("basic.tar.xz");
    }

    @Test
    void packsATarAndSaysWhatItTookAndIndexed() throws IOException {
        Path archive = tarOfBasic();
        Path bundle = work.resolve("from-tar.kpack");
        CliTest.Run pack = CliTest.run("pack", archive.toString(), "-o", bundle.toString());
        assertEquals(0, pack.exit(), pack.err());
        String kver = SyntheticKernel.BASIC.kernelVersion();
        assertTrue(pack.out().startsWith("lib/modules/" + kver + " from the archive, 2 members outside it ignored; "
                + "no modules.dep: index files written by kmodpack depmod, dated "), pack.out());
        assertTrue(pack.out().contains("module index of "), pack.out());
        CliTest.Run dep = CliTest.run("cat", bundle.toString(), "modules.dep");
        assertEquals(new String(Files.readAllBytes(SyntheticKernels.moduleDir(SyntheticKernel.BASIC)
                .resolve("modules.dep"))), new String(dep.stdout()));
    }

    @Test
    void packsADirectoryWithoutIndexAndWritesNothingIntoIt() throws IOException {
        String kver = SyntheticKernel.BASIC.kernelVersion();
        Path root = work.resolve("root");
        Path moduleDir = HardLinkedTree.copy(SyntheticKernels.moduleDir(SyntheticKernel.BASIC), root, kver);
        Files.write(moduleDir.resolve("kernel/garbage.ko"), new byte[64]);
        List<Path> before;
        try (Stream<Path> walk = Files.walk(root)) {
            before = walk.toList();
        }
        Path bundle = work.resolve("from-directory.kpack");
        CliTest.Run pack = CliTest.run("pack", root.toString(), "-o", bundle.toString());
        assertEquals(0, pack.exit(), pack.err());
        assertTrue(pack.out().startsWith(moduleDir + ": no modules.dep: index files written by kmodpack depmod, "
                + "dated ") && pack.out().contains("(made in memory: nothing written into the tree)"), pack.out());
        assertEquals("depmod: ERROR: failed to load symbols from " + moduleDir + "/kernel/garbage.ko: Exec format "
                + "error\n", pack.err());
        try (Stream<Path> walk = Files.walk(root)) {
            assertEquals(before, walk.toList());
        }
        CliTest.Run dep = CliTest.run("cat", bundle.toString(), "modules.dep.bin");
        assertTrue(dep.stdout().length > 0 && new String(CliTest.run("cat", bundle.toString(), "modules.dep")
                .stdout()).contains("kernel/garbage.ko:\n"));
    }

    @Test
    void packsATarFromStdin() throws IOException {
        byte[] tar = Files.readAllBytes(tarOfBasic());
        InputStream original = System.in;
        System.setIn(new ByteArrayInputStream(tar));
        CliTest.Run pack;
        try {
            pack = CliTest.run("pack", "-", "-o", work.resolve("from-stdin.kpack").toString());
        } finally {
            System.setIn(original);
        }
        assertEquals(0, pack.exit(), pack.err());
        assertTrue(Files.isRegularFile(work.resolve("from-stdin.kpack")));
    }

    @Test
    void aDamagedArchiveFailsInOneLineAndLeavesNoBundle() throws IOException {
        byte[] whole = Files.readAllBytes(tarOfBasic());
        Path damaged = Files.write(work.resolve("cut.tar.xz"), Arrays.copyOf(whole, whole.length / 2));
        Path out = work.resolve("out");
        Files.createDirectories(out);
        CliTest.Run pack = CliTest.run("pack", damaged.toString(), "-o", out.resolve("x.kpack").toString());
        assertEquals(1, pack.exit());
        assertEquals(1, pack.err().lines().count(), pack.err());
        assertTrue(pack.err().startsWith("kmodpack: " + damaged + ": truncated or corrupt"), pack.err());
        try (Stream<Path> left = Files.list(out)) {
            assertEquals(List.of(), left.toList(), "nothing written at the destination");
        }
    }

    @Test
    void sourcesThatAreNotModuleTreesAreRefused() throws IOException {
        CliTest.Run empty = CliTest.run("pack", "", "-o", work.resolve("x.kpack").toString());
        assertEquals(1, empty.exit());
        assertTrue(empty.err().startsWith("kmodpack: SOURCE is empty (\"\")"), empty.err());
        Path etc = Files.createDirectories(work.resolve("etc"));
        Files.writeString(etc.resolve("hostname"), "box\n");
        CliTest.Run notModules = CliTest.run("pack", etc.toString(), "-o", work.resolve("x.kpack").toString());
        assertEquals(1, notModules.exit());
        assertTrue(notModules.err().startsWith("kmodpack: " + etc + ": not a module tree"), notModules.err());
        assertTrue(Files.notExists(work.resolve("x.kpack")));
    }
}
