package org.kmodpack.packer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
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
        assertRefusedNaming(work, "kernel/bad", "not valid UTF-8");
        assertNothingLeftBehind();
    }

    @Test
    void aFifoIsRefusedByName() throws Exception {
        Path tree = Files.createDirectories(work.resolve("lib/modules/6.1.0-test"));
        Files.writeString(tree.resolve("modules.dep"), "");
        assertEquals(0, new ProcessBuilder("mkfifo", tree.resolve("pipe").toString()).start().waitFor());
        assertRefusedNaming(work, "pipe", "FIFO");
        assertNothingLeftBehind();
    }

    @Test
    void aFileRewrittenInPlaceAtTheSameSizeWhilePackReadsItIsRefusedByName() throws Exception {
        Path tree = Files.createDirectories(work.resolve("lib/modules/6.1.0-test/kernel"));
        Files.writeString(tree.getParent().resolve("modules.dep"), "");
        Path module = tree.resolve("big.ko");
        byte[] bytes = new byte[16 << 20];
        new java.util.Random(18).nextBytes(bytes);
        Files.write(module, bytes);
        AtomicBoolean stop = new AtomicBoolean();
        // The writer keeps rewriting the file's bytes in place, as a build or a package manager does.
        Thread writer = new Thread(() -> {
            try (FileChannel channel = FileChannel.open(module, StandardOpenOption.WRITE)) {
                for (int round = 0; !stop.get(); round++) {
                    channel.write(ByteBuffer.wrap(bytes, 0, 1 << 20).put(0, (byte) round), (round % 16) << 20);
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        writer.start();
        try {
            IOException e = assertThrows(IOException.class, () -> pack(work));
            assertEquals(module + ": changed while packing (written to since the tree was scanned); pack a tree that "
                    + "nothing is writing to", e.getMessage());
        } finally {
            stop.set(true);
            writer.join();
        }
        assertNothingLeftBehind();
    }

    @Test
    void aRewriteThatPutsTheModificationTimeBackIsCaughtByTheChangeTime() throws Exception {
        Path tree = Files.createDirectories(work.resolve("lib/modules/6.1.0-test/kernel"));
        Path first = Files.writeString(tree.resolve("a.ko"), "a".repeat(5000));
        Path second = Files.writeString(tree.resolve("b.ko"), "b".repeat(7000));
        FileTime modified = Files.getLastModifiedTime(second);
        // Between the scan and the read of b.ko (contents are read in path order): same size, same mtime.
        PackProgress rewriteSecond = (filesDone, filesTotal, bytesDone, bytesTotal) -> {
            if (filesDone == 1) {
                try {
                    Files.writeString(second, "c".repeat(7000));
                    Files.setLastModifiedTime(second, modified);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        };
        IOException e = assertThrows(IOException.class, () -> Packer.pack(work, work.resolve("out.kpack"),
                PackOptions.defaults(), rewriteSecond));
        assertTrue(e.getMessage().startsWith(second + ": changed while packing"), e.getMessage());
        assertTrue(Files.exists(first));
        assertNothingLeftBehind();
    }

    @Test
    void aRootWithSeveralKernelsAsksWhichOne() throws IOException {
        Files.createDirectories(work.resolve("lib/modules/6.1.0-a"));
        Files.createDirectories(work.resolve("lib/modules/6.1.0-b"));
        assertRefusedNaming(work, "6.1.0-a", "--kernel-version");
        PackResult chosen = Packer.pack(work, work.resolve("b.kpack"),
                PackOptions.defaults().withKernelVersion("6.1.0-b"), PackProgress.NONE);
        assertEquals("6.1.0-b", chosen.kernelVersion());
    }

    @Test
    void aMissingSourceSaysWhatToName() {
        assertRefusedNaming(work.resolve("nowhere"), "nowhere", "/lib/modules");
    }

    @Test
    void optionsOutOfRangeAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> PackOptions.defaults().withBlockSize(3000));
        assertThrows(IllegalArgumentException.class, () -> PackOptions.defaults().withBlockSize(128 << 20));
        assertThrows(IllegalArgumentException.class,
                () -> PackOptions.defaults().withCodec(org.kmodpack.format.Codec.XZ, CompressionLevel.of(12)));
        assertThrows(IllegalArgumentException.class, () -> PackOptions.defaults().withThreads(0));
    }

    private void pack(Path source) throws IOException {
        Packer.pack(source, work.resolve("out.kpack"), PackOptions.defaults(), PackProgress.NONE);
    }

    /** Packing {@code source} fails with a message that names each of {@code parts}. */
    private void assertRefusedNaming(Path source, String... parts) {
        IOException e = assertThrows(IOException.class, () -> pack(source));
        for (String part : parts) {
            assertTrue(e.getMessage().contains(part), e.getMessage());
        }
    }

    private void assertNothingLeftBehind() throws IOException {
        try (Stream<Path> files = Files.list(work)) {
            List<String> names = files.map(p -> p.getFileName().toString()).filter(n -> n.contains("kpack")).toList();
            assertEquals(List.of(), names, "no bundle and no temporary file");
        }
    }
}
