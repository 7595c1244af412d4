package org.kmodpack.packer;

import java.util.Objects;
import java.util.Optional;
import org.kmodpack.format.Codec;
import org.kmodpack.format.Params;
import org.kmodpack.modules.KernelSymbols;

/**
 * How to pack. {@code kernelVersion} null means: the name of the module directory. {@code level} is on the
 * codec's own scale (zstd 1..22, xz 0..9, 0 for no codec), resolved from a {@link CompressionLevel} by
 * {@link #withCodec}. {@code firmware} chooses the firmware the bundle carries. {@code resyncBlocks} ends blocks
 * where a file starts (format 1.3, {@link BlockWriter}), so that a tree rebuilt with one changed file shares all
 * blocks but the few around it with the last bundle. {@code kernelSymbols}, the kernel image's exports (depmod's
 * -F System.map or -E Module.symvers), are recorded in the bundle (format 1.4) and its modules checked against
 * them; without them a kernel package's boot/System.map-KVER serves when it lists exports.
 */
public record PackOptions(String kernelVersion, Codec codec, int level, int blockSize, int threads,
        FirmwareSelection firmware, boolean resyncBlocks, Optional<KernelSymbols> kernelSymbols) {
    /**
     * Measured on Debian's 6.1 generic tree with its module index: 2 MiB blocks make the bundle 2.7 % smaller than
     * 1 MiB blocks, for about 1 ms more per cold random read (zstd decompresses a block in 1-2 ms).
     */
    public static final int DEFAULT_BLOCK_SIZE = 2 << 20;

    public PackOptions {
        if (blockSize < Params.MIN_BLOCK_SIZE || blockSize > Params.MAX_BLOCK_SIZE
                || Integer.bitCount(blockSize) != 1) {
            throw new IllegalArgumentException("block size " + blockSize + " must be a power of two from "
                    + Params.MIN_BLOCK_SIZE / 1024 + " KiB to " + (Params.MAX_BLOCK_SIZE >> 20) + " MiB");
        }
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be at least 1, not " + threads);
        }
        level = Compressor.resolveLevel(codec, CompressionLevel.of(level));
        Objects.requireNonNull(firmware, "firmware");
        Objects.requireNonNull(kernelSymbols, "kernelSymbols");
    }

    public static PackOptions defaults() {
        return new PackOptions(null, Codec.ZSTD, Compressor.resolveLevel(Codec.ZSTD, CompressionLevel.DEFAULT),
                DEFAULT_BLOCK_SIZE, Runtime.getRuntime().availableProcessors(), FirmwareSelection.NONE, false,
                Optional.empty());
    }

    public PackOptions withKernelVersion(String value) {
        return new PackOptions(value, codec, level, blockSize, threads, firmware, resyncBlocks, kernelSymbols);
    }

    public PackOptions withCodec(Codec value, CompressionLevel newLevel) {
        return new PackOptions(kernelVersion, value, Compressor.resolveLevel(value, newLevel), blockSize, threads,
                firmware, resyncBlocks, kernelSymbols);
    }

    public PackOptions withBlockSize(int value) {
        return new PackOptions(kernelVersion, codec, level, value, threads, firmware, resyncBlocks, kernelSymbols);
    }

    public PackOptions withFirmware(FirmwareSelection value) {
        return new PackOptions(kernelVersion, codec, level, blockSize, threads, value, resyncBlocks, kernelSymbols);
    }

    public PackOptions withThreads(int value) {
        return new PackOptions(kernelVersion, codec, level, blockSize, value, firmware, resyncBlocks, kernelSymbols);
    }

    /** Records {@code value} (none: nothing, unless the source carries a System.map with exports). */
    public PackOptions withKernelSymbols(Optional<KernelSymbols> value) {
        return new PackOptions(kernelVersion, codec, level, blockSize, threads, firmware, resyncBlocks, value);
    }

    public PackOptions withResyncBlocks(boolean value) {
        return new PackOptions(kernelVersion, codec, level, blockSize, threads, firmware, value, kernelSymbols);
    }
}
