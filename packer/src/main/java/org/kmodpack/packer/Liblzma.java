package org.kmodpack.packer;

import java.io.IOException;
import java.util.Optional;
import java.util.zip.CRC32;
import jnr.ffi.LibraryLoader;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;
import jnr.ffi.Runtime;

/**
 * xz blocks decoded by liblzma, the library of xz-utils that dpkg itself decodes packages with (every Debian
 * system has liblzma.so.5), called through jnr-ffi: it decodes about twice as fast as XZ for Java, which is what
 * reading a kernel package costs. Each block is fed to liblzma as an xz stream of its own (a stream header, then
 * the block as the file holds it); liblzma verifies the block's check before it reads past it.
 */
final class Liblzma {
    /** The functions used; lzma_stream is handled as raw memory (its layout is liblzma's stable ABI). */
    public interface Lzma {
        int lzma_stream_decoder(Pointer stream, long memoryLimit, int flags);

        int lzma_code(Pointer stream, int action);

        void lzma_end(Pointer stream);
    }

    private static final int LZMA_OK = 0;
    private static final int LZMA_RUN = 0;
    private static final int STREAM_SIZE = 256;
    // Offsets in lzma_stream on a 64-bit system: next_in, avail_in, total_in, next_out, avail_out, total_out.
    private static final int NEXT_IN = 0;
    private static final int AVAIL_IN = 8;
    private static final int NEXT_OUT = 24;
    private static final int AVAIL_OUT = 32;
    private static final int TOTAL_OUT = 40;
    private static final byte[] MAGIC = {(byte) 0xfd, '7', 'z', 'X', 'Z', 0};
    private static final int STREAM_HEADER_SIZE = 12;

    private final Lzma lzma;
    private final Runtime runtime;

    private Liblzma(Lzma lzma) {
        this.lzma = lzma;
        this.runtime = Runtime.getRuntime(lzma);
    }

    /** liblzma, or empty where it cannot be loaded or the lzma_stream layout above does not hold (32-bit). */
    static Optional<Liblzma> load() {
        try {
            Lzma lzma = LibraryLoader.create(Lzma.class).failImmediately().load("lzma");
            Liblzma loaded = new Liblzma(lzma);
            return loaded.runtime.addressSize() == 8 ? Optional.of(loaded) : Optional.empty();
        } catch (LinkageError | RuntimeException unavailable) {
            return Optional.empty();
        }
    }

    /** A decoder with native buffers of its own, reused from block to block: one per thread. */
    Decoder newDecoder() {
        return new Decoder();
    }

    final class Decoder {
        private Pointer input;
        private Pointer output;

        private Decoder() {
        }

        /**
         * Decodes one block into {@code into[0, size)}: {@code block} holds it as the file does (header, data,
         * padding, check), {@code checkType} is its stream's check, {@code size} its uncompressed size.
         */
        void decode(byte[] block, int checkType, byte[] into, int size) throws IOException {
            long inputSize = STREAM_HEADER_SIZE + (long) block.length;
            if (input == null || input.size() < inputSize) {
                input = Memory.allocateDirect(runtime, inputSize);
            }
            if (output == null || output.size() < size) {
                output = Memory.allocateDirect(runtime, Math.max(size, 1));
            }
            input.put(0, streamHeader(checkType), 0, STREAM_HEADER_SIZE);
            input.put(STREAM_HEADER_SIZE, block, 0, block.length);
            Pointer stream = Memory.allocateDirect(runtime, STREAM_SIZE, true);
            int started = lzma.lzma_stream_decoder(stream, (long) ArchiveStreams.XZ_MEMORY_LIMIT_KIB << 10, 0);
            if (started != LZMA_OK) {
                throw new IOException("liblzma cannot start a decoder (lzma_ret " + started + ")");
            }
            try {
                stream.putAddress(NEXT_IN, input.address());
                stream.putLong(AVAIL_IN, inputSize);
                stream.putAddress(NEXT_OUT, output.address());
                stream.putLong(AVAIL_OUT, size);
                run(stream);
                long produced = stream.getLong(TOTAL_OUT);
                if (produced != size) {
                    throw new IOException("an xz block decodes to " + produced + " bytes where the index says "
                            + size);
                }
            } finally {
                lzma.lzma_end(stream);
            }
            output.get(0, into, 0, size);
        }
    }

    /** The header of a stream with the given check: magic, flags and the flags' CRC32. */
    private static byte[] streamHeader(int checkType) {
        byte[] header = new byte[STREAM_HEADER_SIZE];
        System.arraycopy(MAGIC, 0, header, 0, MAGIC.length);
        header[7] = (byte) checkType;
        CRC32 crc = new CRC32();
        crc.update(header, 6, 2);
        long value = crc.getValue();
        for (int i = 0; i < 4; i++) {
            header[8 + i] = (byte) (value >>> (8 * i));
        }
        return header;
    }

    /** Runs the decoder until it has taken all input; the padding and check need calls without output space. */
    private void run(Pointer stream) throws IOException {
        long before = -1;
        while (stream.getLong(AVAIL_IN) > 0) {
            long progress = stream.getLong(AVAIL_IN) + stream.getLong(AVAIL_OUT);
            if (progress == before) {
                throw new IOException("the xz block ends early or does not decode");
            }
            before = progress;
            int result = lzma.lzma_code(stream, LZMA_RUN);
            if (result != LZMA_OK) {
                throw new IOException(describe(result));
            }
        }
    }

    private static String describe(int result) {
        return switch (result) {
            case 6 -> "the xz block needs more memory than " + (ArchiveStreams.XZ_MEMORY_LIMIT_KIB >> 10) + " MiB";
            case 7, 8 -> "not an xz block liblzma can decode (lzma_ret " + result + ")";
            case 9 -> "corrupt xz data: the block does not decode or its check does not match";
            case 10 -> "the xz block ends early";
            default -> "liblzma failed (lzma_ret " + result + ")";
        };
    }
}
