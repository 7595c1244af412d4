package org.kmodpack.modules;

import com.github.luben.zstd.ZstdInputStream;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import org.apache.commons.compress.compressors.bzip2.BZip2CompressorInputStream;
import org.tukaani.xz.LZMAInputStream;
import org.tukaani.xz.SingleXZInputStream;

/**
 * A kernel image (vmlinuz) and the X.509 certificates compiled into it: the build puts certs/signing_key.x509
 * and CONFIG_SYSTEM_TRUSTED_KEYS into system_certificate_list, which fills the builtin keyring the kernel checks
 * module signatures against. The image is an x86 bzImage (the compressed kernel at the setup header's
 * payload_offset), an EFI zboot image, a wholly compressed image (arm64's Image.gz) or an uncompressed one, in
 * any of the kernel's compressions but LZO: gzip, bzip2, lzma, xz, lz4 and zstd.
 */
public final class KernelImage {
    /** No kernel comes near it; it bounds what a hostile image can make us allocate. */
    static final int MAX_KERNEL_BYTES = 1 << 30;
    private static final int LZ4_LEGACY_MAGIC = 0x184C2102;
    private static final int LZ4_LEGACY_BLOCK = 8 << 20;

    private KernelImage() {
    }

    /** The kernel's compressions, by the magic the kernel's own decompressors look for. */
    enum Compression {
        GZIP(0x1F, 0x8B), BZIP2('B', 'Z', 'h'), LZMA(0x5D, 0x00, 0x00), XZ(0xFD, '7', 'z', 'X', 'Z', 0x00),
        LZO(0x89, 'L', 'Z', 'O'), LZ4(0x02, 0x21, 0x4C, 0x18), ZSTD(0x28, 0xB5, 0x2F, 0xFD);

        private final int[] magic;

        Compression(int... magic) {
            this.magic = magic;
        }

        static Compression at(byte[] bytes, int offset) {
            for (Compression compression : values()) {
                if (matches(bytes, offset, compression.magic)) {
                    return compression;
                }
            }
            return null;
        }
    }

    /**
     * Every distinct X.509 certificate (DER) compiled into {@code image}, in the order they appear. {@code name}
     * names the image in messages.
     */
    public static List<X509Certificate> builtinCertificates(byte[] image, String name) throws IOException {
        byte[] kernel = kernel(image, name);
        Map<String, X509Certificate> found = new LinkedHashMap<>();
        CertificateFactory factory;
        try {
            factory = CertificateFactory.getInstance("X.509");
        } catch (CertificateException e) {
            throw new IllegalStateException("every JDK reads X.509", e);
        }
        // A certificate is SEQUENCE { tbsCertificate SEQUENCE, ... }, both with two-byte lengths in any real one.
        for (int at = 0; at + 8 <= kernel.length; at++) {
            if ((kernel[at] & 0xFF) != 0x30 || (kernel[at + 1] & 0xFF) != 0x82 || (kernel[at + 4] & 0xFF) != 0x30
                    || (kernel[at + 5] & 0xFF) != 0x82) {
                continue;
            }
            int length = 4 + (((kernel[at + 2] & 0xFF) << 8) | (kernel[at + 3] & 0xFF));
            int inner = 4 + (((kernel[at + 6] & 0xFF) << 8) | (kernel[at + 7] & 0xFF));
            if (at + length > kernel.length || inner >= length - 4) {
                continue;
            }
            byte[] der = Arrays.copyOfRange(kernel, at, at + length);
            try {
                X509Certificate certificate = (X509Certificate) factory.generateCertificate(
                        new ByteArrayInputStream(der));
                found.putIfAbsent(java.util.HexFormat.of().formatHex(der), certificate);
                at += length - 1;
            } catch (CertificateException | RuntimeException notACertificate) {
                // Bytes that look like a DER header by chance: keep scanning.
            }
        }
        if (found.isEmpty()) {
            throw new IOException(name + ": no X.509 certificate in the kernel image (a kernel built without "
                    + "CONFIG_MODULE_SIG has none); give the module certificate itself");
        }
        return List.copyOf(found.values());
    }

    /** The kernel proper: the image decompressed, or the image itself when it is not compressed. */
    static byte[] kernel(byte[] image, String name) throws IOException {
        int setupSectors = image.length > 0x1F1 ? image[0x1F1] & 0xFF : 0;
        if (image.length > 0x250 && matches(image, 0x202, 'H', 'd', 'r', 'S')) {
            // x86 bzImage: the payload's offset from the protected-mode code and its length, size appended.
            ByteBuffer header = ByteBuffer.wrap(image).order(ByteOrder.LITTLE_ENDIAN);
            long offset = (long) ((setupSectors == 0 ? 4 : setupSectors) + 1) * 512
                    + Integer.toUnsignedLong(header.getInt(0x248));
            long length = Integer.toUnsignedLong(header.getInt(0x24C));
            if (length < 4 || offset + length > image.length) {
                throw new IOException(name + ": the bzImage header's payload (" + length + " bytes at " + offset
                        + ") lies outside the file; the image is damaged or truncated");
            }
            return decompress(image, (int) offset, (int) length - 4, name);
        }
        if (image.length > 32 && matches(image, 0, 'M', 'Z') && matches(image, 4, 'z', 'i', 'm', 'g')) {
            // EFI zboot (arm64, riscv, loongarch): the compressed Image's offset and size follow the magic.
            ByteBuffer header = ByteBuffer.wrap(image).order(ByteOrder.LITTLE_ENDIAN);
            long offset = Integer.toUnsignedLong(header.getInt(8));
            long length = Integer.toUnsignedLong(header.getInt(12));
            if (offset + length > image.length) {
                throw new IOException(name + ": the zboot header's payload lies outside the file; the image is "
                        + "damaged or truncated");
            }
            return decompress(image, (int) offset, (int) length, name);
        }
        if (Compression.at(image, 0) != null) {
            return decompress(image, 0, image.length, name);
        }
        // Uncompressed: vmlinux (ELF), a PE/EFI image, or arm64's and riscv's Image (magic at 0x38).
        if (matches(image, 0, 0x7F, 'E', 'L', 'F') || matches(image, 0, 'M', 'Z')
                || matches(image, 0x38, 'A', 'R', 'M', 0x64) || matches(image, 0x38, 'R', 'S', 'C', 0x05)) {
            return image;
        }
        throw new IOException(name + ": not a kernel image (no bzImage or zboot header, no compression the kernel "
                + "uses, not ELF); give /boot/vmlinuz-KVER");
    }

    private static byte[] decompress(byte[] image, int offset, int length, String name) throws IOException {
        Compression compression = Compression.at(image, offset);
        if (compression == null) {
            throw new IOException(name + ": the compressed kernel starts with none of the kernel's compressions' "
                    + "magic numbers; is it a kernel image?");
        }
        if (compression == Compression.LZO) {
            throw new IOException(name + ": an LZO-compressed kernel, which kmodpack does not read; decompress it "
                    + "first (extract-vmlinux from the kernel's scripts/ does) and give the result");
        }
        try {
            if (compression == Compression.LZ4) {
                return lz4Legacy(image, offset, length);
            }
            InputStream compressed = new ByteArrayInputStream(image, offset, length);
            try (InputStream in = switch (compression) {
                case GZIP -> new GZIPInputStream(compressed);
                case BZIP2 -> new BZip2CompressorInputStream(compressed);
                case LZMA -> new LZMAInputStream(compressed);
                case XZ -> new SingleXZInputStream(compressed);
                case ZSTD -> new ZstdInputStream(compressed);
                default -> throw new IllegalStateException(compression.name());
            }) {
                byte[] kernel = in.readNBytes(MAX_KERNEL_BYTES + 1);
                if (kernel.length > MAX_KERNEL_BYTES) {
                    throw new IOException("it decompresses to more than " + MAX_KERNEL_BYTES + " bytes");
                }
                return kernel;
            }
        } catch (IOException | RuntimeException e) {
            throw new IOException(name + ": cannot decompress the " + compression.name().toLowerCase(
                    java.util.Locale.ROOT) + " kernel (" + e.getMessage() + "); the image is damaged", e);
        }
    }

    /** lz4 -l's legacy frames, as the kernel's boot decompressor reads them: blocks of at most 8 MiB each. */
    private static byte[] lz4Legacy(byte[] image, int offset, int length) throws IOException {
        ByteBuffer in = ByteBuffer.wrap(image, offset, length).slice().order(ByteOrder.LITTLE_ENDIAN);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] block = new byte[LZ4_LEGACY_BLOCK];
        while (in.remaining() >= 4) {
            int word = in.getInt();
            if (word == LZ4_LEGACY_MAGIC) {
                continue;
            }
            if (word <= 0 || word > in.remaining()) {
                break; // the end of the frame: what follows is not a block (the kernel stops here too)
            }
            int produced = lz4Block(image, offset + in.position(), word, block);
            in.position(in.position() + word);
            out.write(block, 0, produced);
            if (out.size() > MAX_KERNEL_BYTES) {
                throw new IOException("it decompresses to more than " + MAX_KERNEL_BYTES + " bytes");
            }
        }
        return out.toByteArray();
    }

    /** One LZ4 block: sequences of literals and a match; returns the bytes written to {@code out}. */
    private static int lz4Block(byte[] in, int start, int length, byte[] out) throws IOException {
        int at = start;
        int end = start + length;
        int written = 0;
        while (at < end) {
            int token = in[at++] & 0xFF;
            int literals = token >>> 4;
            if (literals == 15) {
                int more;
                do {
                    more = in[at++] & 0xFF;
                    literals += more;
                } while (more == 255);
            }
            if (literals > end - at || literals > out.length - written) {
                throw new IOException("an LZ4 block's literals run past its end");
            }
            System.arraycopy(in, at, out, written, literals);
            at += literals;
            written += literals;
            if (at >= end) {
                break; // the last sequence has literals only
            }
            int distance = (in[at] & 0xFF) | (in[at + 1] & 0xFF) << 8;
            at += 2;
            int match = (token & 15) + 4;
            if ((token & 15) == 15) {
                int more;
                do {
                    more = in[at++] & 0xFF;
                    match += more;
                } while (more == 255);
            }
            if (distance == 0 || distance > written || match > out.length - written) {
                throw new IOException("an LZ4 match points outside what was decoded");
            }
            for (int i = 0; i < match; i++) {
                out[written] = out[written - distance];
                written++;
            }
        }
        return written;
    }

    private static boolean matches(byte[] bytes, int offset, int... magic) {
        if (offset < 0 || offset + magic.length > bytes.length) {
            return false;
        }
        for (int i = 0; i < magic.length; i++) {
            if ((bytes[offset + i] & 0xFF) != magic[i]) {
                return false;
            }
        }
        return true;
    }
}
