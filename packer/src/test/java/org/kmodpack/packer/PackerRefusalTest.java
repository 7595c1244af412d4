package org.kmodpack.packer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Trees that cannot be stored faithfully are refused with the offending file named, and nothing is left behind. */
class PackerRefusalTest {
    @TempDir
    Path work;

    @Test
    void aFileNameThatIsNotUtf8IsRefusedByName() throws Exception {
        Path tree = Files.createDirectories(work.resolve("lib/modules/6.1.0-test/kernel"));
        // Java cannot create such a name itself: the shell writes the raw byte 0xFF.
        Process touch = new ProcessBuilder("sh", "-c", "touch \"$(printf 'bad\\377name.ko')\"")
                .directory(tree.toFile()).inheritIO().start();
        assertEquals(0, touch.waitFor());
        IOException e = assertThrows(IOException.class, () -> pack(work));
        assertTrue(e.getMessage().contains("kernel/bad") && e.getMessage().contains("not valid UTF-8"), e.getMessage());
        assertNothingLeftBehind();
    }

    @Test
    void aFifoIsRefusedByName() throws Exception {
        Path tree = Files.createDirectories(work.resolve("lib/modules/6.1.0-test"));
        Files.writeString(tree.resolve("modules.dep"), "");
        assertEquals(0, new ProcessBuilder("mkfifo", tree.resolve("pipe").toString()).start().waitFor());
        IOException e = assertThrows(IOException.class, () -> pack(work));
        assertTrue(e.getMessage().contains("pipe") && e.getMessage().contains("FIFO"), e.getMessage());
        assertNothingLeftBehind();
    }

    @Test
    void aRootWithSeveralKernelsAsksWhichOne() throws IOException {
        Files.createDirectories(work.resolve("lib/modules/6.1.0-a"));
        Files.createDirectories(work.resolve("lib/modules/6.1.0-b"));
        IOException e = assertThrows(IOException.class, () -> pack(work));
        assertTrue(e.getMessage().contains("6.1.0-a") && e.getMessage().contains("--kernel-version"), e.getMessage());
        PackResult chosen = Packer.pack(work, work.resolve("b.kpack"),
                PackOptions.defaults().withKernelVersion("6.1.0-b"), PackProgress.NONE);
        assertEquals("6.1.0-b", chosen.kernelVersion());
    }

    @Test
    void aMissingSourceSaysWhatToName() {
        IOException e = assertThrows(IOException.class, () -> pack(work.resolve("nowhere")));
        assertTrue(e.getMessage().contains("nowhere") && e.getMessage().contains("/lib/modules"), e.getMessage());
    }

    @Test
    void optionsOutOfRangeAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> PackOptions.defaults().withBlockSize(3000));
        assertThrows(IllegalArgumentException.class, () -> PackOptions.defaults().withBlockSize(128 << 20));
        assertThrows(IllegalArgumentException.class,
                () -> PackOptions.defaults().withCodec(org.kmodpack.format.Codec.XZ, 12));
        assertThrows(IllegalArgumentException.class, () -> PackOptions.defaults().withThreads(0));
    }

    private void pack(Path source) throws IOException {
        Packer.pack(source, work.resolve("out.kpack"), PackOptions.defaults(), PackProgress.NONE);
    }

    private void assertNothingLeftBehind() throws IOException {
        try (Stream<Path> files = Files.list(work)) {
            List<String> names = files.map(p -> p.getFileName().toString()).filter(n -> n.contains("kpack")).toList();
            assertEquals(List.of(), names, "no bundle and no temporary file");
        }
    }
}
