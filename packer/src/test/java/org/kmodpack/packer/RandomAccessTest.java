package org.kmodpack.packer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.kmodpack.reader.Bundle;
import org.kmodpack.reader.ByteSource;
import org.kmodpack.reader.Entry;
import org.kmodpack.reader.ForwardingByteSource;
import org.kmodpack.testkernels.SyntheticKernel;
import org.kmodpack.testkernels.SyntheticKernels;

/**
 * Byte ranges read from the bundle equal the same ranges of the source files, across block boundaries
 * (4 KiB blocks make almost every module span several), from one thread and from eight at once.
 */
class RandomAccessTest {
    private static final int BLOCK = 4096;

    @TempDir
    static Path work;
    static Path tree;
    static Path bundlePath;
    static List<String> files;

    @BeforeAll
    static void pack() throws IOException {
        tree = SyntheticKernels.moduleDir(SyntheticKernel.BASIC);
        bundlePath = work.resolve("basic.kpack");
        Packer.pack(tree, bundlePath, PackOptions.defaults().withBlockSize(BLOCK), PackProgress.NONE);
        files = new ArrayList<>();
        try (var walk = Files.walk(tree)) {
            walk.filter(p -> Files.isRegularFile(p, java.nio.file.LinkOption.NOFOLLOW_LINKS))
                    .forEach(p -> files.add(tree.relativize(p).toString()));
        }
        files.sort(null);
    }

    @Test
    void randomRangesMatchTheSource() throws IOException {
        try (Bundle bundle = Bundle.open(bundlePath, 8 * BLOCK)) {
            checkRandomRanges(bundle, new Random(1), 3000);
        }
    }

    @Test
    void eightThreadsReadingAtOnceSeeTheSourceBytes() throws Exception {
        // A cache smaller than the working set makes the threads evict and reload each other's blocks.
        try (Bundle bundle = Bundle.open(bundlePath, 16 * BLOCK)) {
            ExecutorService pool = Executors.newFixedThreadPool(8);
            try {
                List<Future<Integer>> results = new ArrayList<>();
                for (int t = 0; t < 8; t++) {
                    int seed = t;
                    results.add(pool.submit(() -> checkRandomRanges(bundle, new Random(100 + seed), 1500)));
                }
                for (Future<Integer> result : results) {
                    assertEquals(1500, result.get());
                }
            } finally {
                pool.shutdownNow();
            }
        }
    }

    @Test
    void wholeFilesReadThroughStreamsAndChannels() throws IOException {
        try (Bundle bundle = Bundle.open(bundlePath)) {
            for (String path : files) {
                byte[] expected = Files.readAllBytes(tree.resolve(path));
                Entry entry = bundle.get(path);
                try (InputStream in = bundle.newInputStream(entry)) {
                    assertArrayEquals(expected, in.readAllBytes(), path);
                }
                try (SeekableByteChannel channel = bundle.newByteChannel(entry)) {
                    assertEquals(expected.length, channel.size());
                    long middle = expected.length / 2;
                    channel.position(middle);
                    ByteBuffer rest = ByteBuffer.allocate(expected.length - (int) middle);
                    while (rest.hasRemaining() && channel.read(rest) > 0) {
                        assertTrue(channel.position() <= expected.length);
                    }
                    assertArrayEquals(Arrays.copyOfRange(expected, (int) middle, expected.length), rest.array(), path);
                    assertEquals(-1, channel.read(ByteBuffer.allocate(1)));
                }
            }
        }
    }

    @Test
    void readAheadLoadsTheFollowingBlockOnce() throws IOException {
        CountingSource source = new CountingSource(ByteSource.open(bundlePath));
        try (Bundle bundle = Bundle.open(source, Bundle.DEFAULT_CACHE_BYTES)) {
            Entry largest = bundle.entries().stream().filter(Entry::isFile)
                    .max(java.util.Comparator.comparingLong(Entry::size)).orElseThrow();
            assertTrue(largest.size() > 2 * BLOCK, "the test needs a file over three blocks");
            int opened = source.reads;
            assertTrue(bundle.readAheadWanted(largest, 0), "the block after the first one is not cached yet");
            bundle.readAhead(largest, 0);
            assertEquals(opened + 1, source.reads, "the block after the first one is read");
            assertFalse(bundle.readAheadWanted(largest, 0), "once cached, there is nothing to read ahead");
            bundle.readAhead(largest, 0);
            assertEquals(opened + 1, source.reads, "once cached, it is not read again");
            bundle.readAhead(largest, BLOCK);
            assertEquals(opened + 2, source.reads, "reading on moves the read-ahead one block further");
            byte[] expected = Files.readAllBytes(tree.resolve(largest.path()));
            assertArrayEquals(expected, bundle.readAllBytes(largest));
        }
    }

    /** A bundle file that counts the reads the bundle makes of it. */
    private static final class CountingSource extends ForwardingByteSource {
        int reads;

        CountingSource(ByteSource file) {
            super(file);
        }

        @Override
        public synchronized byte[] read(long position, int length) throws IOException {
            reads++;
            return delegate.read(position, length);
        }
    }

    private static int checkRandomRanges(Bundle bundle, Random random, int count) throws IOException {
        for (int i = 0; i < count; i++) {
            String path = files.get(random.nextInt(files.size()));
            byte[] source = Files.readAllBytes(tree.resolve(path));
            Entry entry = bundle.get(path);
            int from = source.length == 0 ? 0 : random.nextInt(source.length + 1);
            int length = random.nextInt(3 * BLOCK);
            ByteBuffer buffer = ByteBuffer.allocate(length);
            int n = bundle.read(entry, from, buffer);
            int expectedLength = Math.min(length, source.length - from);
            if (from >= source.length) {
                assertEquals(-1, n, path + " read at EOF");
            } else {
                assertEquals(expectedLength, n, path + " at " + from);
                assertArrayEquals(Arrays.copyOfRange(source, from, from + n), Arrays.copyOf(buffer.array(), n),
                        path + " bytes " + from + ".." + (from + n));
            }
        }
        return count;
    }
}
