package org.kmodpack.reader;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.common.jimfs.Configuration;
import com.google.common.jimfs.Jimfs;
import java.io.IOException;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.NonWritableChannelException;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystem;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.kmodpack.format.Codec;
import org.kmodpack.testkernels.SpecVectors;

/**
 * The Bundle API on the tiny-zstd vector of spec/FORMAT.md (hello.ko is "hello\n" 64 times), from a Jimfs
 * file, which cannot be memory-mapped, from a real file, which is, and from bytes in memory through the public
 * {@link ByteSource} interface, as a remote source would serve them.
 */
class BundleApiTest {
    private static final byte[] HELLO = "hello\n".repeat(64).getBytes(StandardCharsets.US_ASCII);

    @TempDir
    Path temporary;
    private FileSystem jimfs;

    @BeforeEach
    void createJimfs() {
        jimfs = Jimfs.newFileSystem(Configuration.unix());
    }

    @AfterEach
    void closeJimfs() throws IOException {
        jimfs.close();
    }

    private Bundle open(String where) throws IOException {
        if (where.equals("memory")) {
            return Bundle.open(new MemorySource(SpecVectors.bytes("tiny-zstd")), Bundle.DEFAULT_CACHE_BYTES);
        }
        Path file = where.equals("jimfs") ? jimfs.getPath("/tiny.kmp") : temporary.resolve("tiny.kmp");
        Files.write(file, SpecVectors.bytes("tiny-zstd"));
        return Bundle.open(file);
    }

    /** A test run once per kind of source {@link #open} knows, each given as the test's {@code where}. */
    @Retention(RetentionPolicy.RUNTIME)
    @Target(ElementType.METHOD)
    @ParameterizedTest
    @ValueSource(strings = {"jimfs", "disk", "memory"})
    @interface OnEverySource {
    }

    @OnEverySource
    void theRootHasEveryEmptySpelling(String where) throws IOException {
        try (Bundle bundle = open(where)) {
            for (String root : new String[] {"", ".", "/", "./", ".//."}) {
                Entry entry = bundle.find(root).orElseThrow();
                assertEquals(0, entry.index(), "'" + root + "'");
                assertEquals("", entry.path());
                assertEquals(bundle.root(), entry);
            }
        }
    }

    @OnEverySource
    void lookupsNeverClimbOrFollowSymlinks(String where) throws IOException {
        try (Bundle bundle = open(where)) {
            assertEquals("kernel/hello.ko", bundle.find("kernel//hello.ko").orElseThrow().path());
            assertEquals("kernel/hello.ko", bundle.find("./kernel/./hello.ko/").orElseThrow().path());
            for (String nothing : new String[] {"a/../b", "kernel/../build", "..", "../6.1.0-tiny/build",
                "build/x", "kernel/hello.ko/x", "kernel/missing.ko", "Kernel", "kernel/hello.k"}) {
                assertTrue(bundle.find(nothing).isEmpty(), "'" + nothing + "' finds nothing");
            }
            NoSuchFileException missing = assertThrows(NoSuchFileException.class, () -> bundle.get("kernel/x.ko"));
            assertTrue(missing.getMessage().contains("kernel/x.ko"), missing.getMessage());
        }
    }

    @OnEverySource
    void listingIsInNameByteOrder(String where) throws IOException {
        try (Bundle bundle = open(where)) {
            assertEquals(List.of("build", "kernel"), bundle.list(bundle.root()).stream().map(Entry::path).toList());
            assertEquals(List.of("kernel/empty.ko", "kernel/hello.ko", "kernel/link.ko"),
                    bundle.list(bundle.get("kernel")).stream().map(Entry::path).toList());
            assertEquals(List.of("empty.ko", "hello.ko", "link.ko"),
                    bundle.list(bundle.get("kernel")).stream().map(Entry::name).toList());
            assertThrows(NotDirectoryException.class, () -> bundle.list(bundle.get("kernel/hello.ko")));
            assertThrows(NotDirectoryException.class, () -> bundle.list(bundle.get("build")));
        }
    }

    @OnEverySource
    void positionalReads(String where) throws IOException {
        try (Bundle bundle = open(where)) {
            Entry hello = bundle.get("kernel/hello.ko");
            ByteBuffer buffer = ByteBuffer.allocate(10);
            assertEquals(10, bundle.read(hello, 100, buffer));
            assertArrayEquals(java.util.Arrays.copyOfRange(HELLO, 100, 110), buffer.array());
            ByteBuffer tail = ByteBuffer.allocate(100);
            assertEquals(4, bundle.read(hello, 380, tail), "only what the file has left");
            assertEquals(-1, bundle.read(hello, 384, ByteBuffer.allocate(1)), "at end of file");
            assertEquals(-1, bundle.read(hello, 385, ByteBuffer.allocate(1)), "past end of file");
            assertEquals(-1, bundle.read(hello, Long.MAX_VALUE, ByteBuffer.allocate(1)), "far past end of file");
            assertEquals(0, bundle.read(hello, 0, ByteBuffer.allocate(0)), "no room, no bytes");
            assertEquals(-1, bundle.read(bundle.get("kernel/empty.ko"), 0, ByteBuffer.allocate(1)));
            assertThrows(IllegalArgumentException.class, () -> bundle.read(hello, -1, ByteBuffer.allocate(1)));
            assertThrows(IOException.class, () -> bundle.read(bundle.get("kernel"), 0, ByteBuffer.allocate(1)));
            assertThrows(IOException.class, () -> bundle.read(bundle.get("build"), 0, ByteBuffer.allocate(1)));
            assertArrayEquals(HELLO, bundle.readAllBytes(bundle.get("kernel/link.ko")));
        }
    }

    @OnEverySource
    void theBlocksHoldingAFileAreFetchedAheadAndReadsAreSeenInProgress(String where) throws IOException {
        try (Bundle bundle = open(where)) {
            Entry hello = bundle.get("kernel/hello.ko");
            int[] blocks = bundle.blocksHolding(hello).toArray();
            assertEquals(1, blocks.length, "a 384-byte file in one block");
            assertEquals(0, bundle.blocksHolding(bundle.get("kernel/empty.ko")).count(), "an empty file has none");
            assertEquals(0, bundle.blocksHolding(bundle.get("kernel")).count(), "a directory has none");
            bundle.fetchBlock(blocks[0]);
            long[] duringRead = new long[1];
            bundle.read(hello, 0, 1, (bytes, offset, length) -> duringRead[0] = bundle.nanosSinceLastRead());
            assertEquals(0, duringRead[0], "a read is in progress");
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            assertTrue(bundle.nanosSinceLastRead() >= 5_000_000, "quiet since the read ended");
        }
    }

    @OnEverySource
    void byteChannelsHaveTheirOwnPosition(String where) throws IOException {
        try (Bundle bundle = open(where)) {
            Entry hello = bundle.get("kernel/hello.ko");
            try (SeekableByteChannel one = bundle.newByteChannel(hello);
                    SeekableByteChannel two = bundle.newByteChannel(bundle.get("kernel/link.ko"))) {
                assertEquals(384, one.size());
                assertEquals(0, one.position());
                ByteBuffer six = ByteBuffer.allocate(6);
                assertEquals(6, one.read(six));
                assertEquals(6, one.position());
                assertEquals(0, two.position(), "a channel's position is its own");
                one.position(378);
                six.clear();
                assertEquals(6, one.read(six));
                assertEquals("hello\n", new String(six.array(), StandardCharsets.US_ASCII));
                assertEquals(-1, one.read(six.clear()));
                assertEquals(384, one.position(), "end of file does not move the position");
                one.position(1000);
                assertEquals(-1, one.read(ByteBuffer.allocate(1)), "positioned past the end");
                assertThrows(IllegalArgumentException.class, () -> one.position(-1));
                assertThrows(NonWritableChannelException.class, () -> one.write(ByteBuffer.allocate(1)));
                assertThrows(NonWritableChannelException.class, () -> one.truncate(0));
                one.close();
                assertFalse(one.isOpen());
                assertThrows(ClosedChannelException.class, () -> one.read(ByteBuffer.allocate(1)));
                assertThrows(ClosedChannelException.class, one::position);
            }
            assertThrows(IOException.class, () -> bundle.newByteChannel(bundle.get("kernel")));
            assertThrows(IOException.class, () -> bundle.newInputStream(bundle.get("build")));
        }
    }

    @OnEverySource
    void inputStreams(String where) throws IOException {
        try (Bundle bundle = open(where)) {
            try (InputStream in = bundle.newInputStream(bundle.get("kernel/hello.ko"))) {
                assertEquals('h', in.read());
                assertEquals(100, in.skip(100));
                assertArrayEquals(java.util.Arrays.copyOfRange(HELLO, 101, 384), in.readAllBytes());
                assertEquals(-1, in.read());
            }
            try (InputStream in = bundle.newInputStream(bundle.get("kernel/empty.ko"))) {
                assertEquals(-1, in.read());
            }
        }
    }

    @OnEverySource
    void info(String where) throws IOException {
        try (Bundle bundle = open(where)) {
            BundleInfo info = bundle.info();
            assertEquals("6.1.0-tiny", info.kernelVersion());
            assertEquals(Codec.ZSTD, info.codec());
            assertEquals(2, info.directories());
            assertEquals(3, info.files());
            assertEquals(1, info.symlinks());
            assertEquals(768, info.fileBytes(), "both names of the hard-linked file count");
            assertEquals(384, info.dataLength(), "its content is stored once");
            assertEquals(23, info.storedDataLength());
            bundle.verifyBlocks();
        }
    }

    /** A bundle held in memory: the smallest source that is not a file. */
    private record MemorySource(byte[] bytes) implements ByteSource {
        @Override
        public String name() {
            return "memory:tiny-zstd";
        }

        @Override
        public long length() {
            return bytes.length;
        }

        @Override
        public byte[] read(long position, int length) throws IOException {
            if (position < 0 || position + length > bytes.length) {
                throw new java.io.EOFException(name() + " ends at " + bytes.length);
            }
            return java.util.Arrays.copyOfRange(bytes, (int) position, (int) position + length);
        }

        @Override
        public void close() {
        }
    }
}
