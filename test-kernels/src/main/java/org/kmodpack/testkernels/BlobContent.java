package org.kmodpack.testkernels;

import java.io.IOException;
import java.io.OutputStream;
import java.io.BufferedOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;

/**
 * Deterministic filler for a big module's data section. Alternating 4 KiB runs of random bytes and of text from a
 * small vocabulary give compressors roughly the 2:1 ratio of real module code instead of an all-zero best case.
 */
final class BlobContent {
    private static final int RUN = 4096;
    private static final String[] WORDS = {
        "firmware ", "register ", "interrupt ", "descriptor ", "queue ", "0x00000000 ", "dma_map ", "spin_lock ",
    };

    private BlobContent() {
    }

    static void write(Path file, int size, long seed) throws IOException {
        SplittableRandom random = new SplittableRandom(seed);
        byte[] run = new byte[RUN];
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file))) {
            for (int written = 0, index = 0; written < size; index++) {
                if (index % 2 == 0) {
                    random.nextBytes(run);
                } else {
                    fillWithWords(run, random);
                }
                int length = Math.min(RUN, size - written);
                out.write(run, 0, length);
                written += length;
            }
        }
    }

    private static void fillWithWords(byte[] run, SplittableRandom random) {
        int position = 0;
        while (position < run.length) {
            byte[] word = WORDS[random.nextInt(WORDS.length)].getBytes(StandardCharsets.US_ASCII);
            int length = Math.min(word.length, run.length - position);
            System.arraycopy(word, 0, run, position, length);
            position += length;
        }
    }
}
