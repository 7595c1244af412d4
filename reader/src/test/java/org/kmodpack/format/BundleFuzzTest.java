package org.kmodpack.format;

import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.google.common.jimfs.Configuration;
import com.google.common.jimfs.Jimfs;
import java.io.IOException;
import java.nio.file.FileSystem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Random;
import java.util.function.BiFunction;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.kmodpack.testkernels.Figure;
import org.kmodpack.testkernels.Figures;
import org.kmodpack.testkernels.SpecVectors;

/**
 * Random damage to the spec's vectors. Each mutant either opens and reads consistently (every entry found,
 * listed and read whole) or is refused with a CorruptBundleException naming the bundle; any other
 * Throwable, or a hang, fails. Seeds are fixed so a failure reproduces; each run is bounded in time.
 */
@ExtendWith(Figures.class)
class BundleFuzzTest {
    private static final long SEED = 0x6b6d6f64L;
    /** -Dkmodpack.fuzz.scale=N runs N times the iterations and time for a longer hunt; 1 keeps it quick. */
    private static final int SCALE = Integer.getInteger("kmodpack.fuzz.scale", 1);
    private static final Duration BUDGET = Duration.ofMillis(700L * SCALE);

    // How many mutants ran depends on the machine: each mutation kind stops at its iterations or its time budget.
    static final Figure REFUSED = new Figure("mutants-refused", "randomly damaged bundles refused with a "
            + "CorruptBundleException naming the bundle (count bounded by a time budget: depends on the machine)");
    static final Figure READ = new Figure("mutants-read", "randomly damaged bundles that opened and read "
            + "consistently (every entry found, listed, read whole, every block verified)");

    private final FileSystem fs = Jimfs.newFileSystem(Configuration.unix());
    private final Path file = fs.getPath("/fuzz.kmp");

    @AfterEach
    void closeFileSystem() throws IOException {
        fs.close();
    }

    @Test
    void singleByteMutationsAnywhere() {
        // Mostly stopped by the header CRC, the index SHA-256 or a block's SHA-256: those must hold.
        fuzz("single byte", 3000, (vector, random) -> {
            byte[] bytes = vector.clone();
            bytes[random.nextInt(bytes.length)] ^= (byte) (1 + random.nextInt(255));
            return bytes;
        });
    }

    @Test
    void randomTruncationsAndExtensions() {
        fuzz("length", 1000, (vector, random) -> {
            int length = random.nextInt(vector.length + 16);
            return Arrays.copyOf(vector, length);
        });
    }

    @Test
    void resealedMutationsOfTheHeaderAndIndex() {
        // Re-sealed, so each mutation reaches the structural checks behind the checksums.
        fuzz("resealed index byte", 3000, (vector, random) -> {
            byte[] bytes = vector.clone();
            int indexOffset = (int) Forge.indexOffset(vector);
            int at = random.nextInt(4) == 0 ? 8 + random.nextInt(116)
                    : indexOffset + random.nextInt(vector.length - indexOffset);
            bytes[at] ^= (byte) (1 + random.nextInt(255));
            return Forge.reseal(bytes);
        });
    }

    @Test
    void resealedExtremeValuesInTheIndex() {
        long[] extremes = {0, 1, -1, 0x7F, 0xFF, 0x7FFF_FFFFL, 0x8000_0000L, 0xFFFF_FFFFL, 1L << 40,
            Long.MAX_VALUE, Long.MIN_VALUE};
        fuzz("resealed extreme value", 2000, (vector, random) -> {
            byte[] bytes = vector.clone();
            int indexOffset = (int) Forge.indexOffset(vector);
            int at = indexOffset + 8 + random.nextInt(vector.length - indexOffset - 8);
            int width = new int[] {1, 2, 4, 8}[random.nextInt(4)];
            long value = extremes[random.nextInt(extremes.length)];
            for (int i = 0; i < width && at + i < bytes.length; i++) {
                bytes[at + i] = (byte) (value >>> (8 * i));
            }
            return Forge.reseal(bytes);
        });
    }

    @Test
    void rehashedMutationsOfACompressedBlock() {
        // The attacker also fixes the block's SHA-256, so the damage reaches the zstd decoder.
        byte[] zstd = SpecVectors.bytes("tiny-zstd");
        int row = Forge.block(zstd, 0);
        int stored = Forge.le(zstd).getInt(row + 8);
        run("rehashed zstd byte", 2000, zstd, (vector, random) -> {
            byte[] bytes = vector.clone();
            int mutations = 1 + random.nextInt(3);
            for (int m = 0; m < mutations; m++) {
                bytes[128 + random.nextInt(stored)] ^= (byte) (1 + random.nextInt(255));
            }
            System.arraycopy(Forge.sha256(Arrays.copyOfRange(bytes, 128, 128 + stored)), 0, bytes, row + 16, 32);
            return Forge.reseal(bytes);
        });
    }

    private void fuzz(String what, int iterations, BiFunction<byte[], Random, byte[]> mutate) {
        for (String name : SpecVectors.NAMES) {
            run(what + " of " + name, iterations, SpecVectors.bytes(name), mutate);
        }
    }

    private void run(String what, int iterations, byte[] vector, BiFunction<byte[], Random, byte[]> mutate) {
        Random random = new Random(SEED ^ what.hashCode());
        assertTimeoutPreemptively(Duration.ofSeconds(30L * SCALE), () -> {
            long deadline = System.nanoTime() + BUDGET.toNanos();
            for (int i = 0; i < iterations * SCALE && System.nanoTime() < deadline; i++) {
                byte[] mutant = mutate.apply(vector, random);
                try {
                    HostileBundles.openAndReadEverything(file, mutant);
                    READ.increment();
                } catch (CorruptBundleException refused) {
                    assertTrue(refused.getMessage().startsWith(file + ": "), refused.getMessage());
                    REFUSED.increment();
                } catch (Throwable other) {
                    Path kept = Files.createTempFile("kmodpack-fuzz-", ".kmp");
                    Files.write(kept, mutant);
                    fail(what + " #" + i + " threw " + other + " instead of CorruptBundleException; the mutant is "
                            + "kept in " + kept, other);
                }
            }
        }, what + " must not hang");
    }
}
