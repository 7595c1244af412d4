package org.kmodpack.modules;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.kmodpack.testkernels.Commands;
import org.kmodpack.testkernels.DebianKernels;
import org.kmodpack.testkernels.ModuleSigner;

/**
 * The certificates compiled into a kernel image: Debian's real vmlinuz (xz for the generic kernel, lz4 for the
 * cloud one), and bzImage-shaped files whose payload the real compressors made, one for each of the kernel's
 * compressions that has a tool here.
 */
class KernelImageTest {
    @TempDir
    static Path work;
    static byte[] certificate;
    static byte[] vmlinux;

    @BeforeAll
    static void kernelProper() throws IOException {
        ModuleSigner.kernelKey(work);
        certificate = Files.readAllBytes(work.resolve("signing_key.x509"));
        // A kernel's bytes around its certificate list: code-like noise before and after.
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        byte[] noise = new byte[300_000];
        new Random(7).nextBytes(noise);
        bytes.writeBytes(new byte[] {0x7F, 'E', 'L', 'F'});
        bytes.writeBytes(noise);
        bytes.writeBytes(certificate);
        bytes.writeBytes(noise);
        vmlinux = bytes.toByteArray();
        Files.write(work.resolve("vmlinux"), vmlinux);
    }

    /** The kernel's compressors with the options its Makefiles use: xz with CRC32 and the x86 filter, lz4 -l. */
    @ParameterizedTest
    @ValueSource(strings = {"gzip -9 -c", "bzip2 -9 -c", "lzma -9 -c", "xz --check=crc32 --x86 --lzma2=dict=32MiB -c",
        "lz4 -l -9 -c", "zstd -22 --ultra -c"})
    void everyCompressionOfABzImage(String compressor) throws Exception {
        List<String> command = new java.util.ArrayList<>(List.of(compressor.split(" ")));
        command.add("vmlinux");
        Commands.check(work, List.of("sh", "-c", String.join(" ", command) + " > payload"));
        byte[] payload = Files.readAllBytes(work.resolve("payload"));
        byte[] image = bzImage(payload, vmlinux.length);
        assertArrayEquals(vmlinux, KernelImage.kernel(image, "vmlinuz"), compressor);
        List<X509Certificate> found = KernelImage.builtinCertificates(image, "vmlinuz");
        assertEquals(1, found.size(), compressor);
        assertArrayEquals(certificate, found.get(0).getEncoded());
    }

    @Test
    void wholeFileCompressedAndPlainImages() throws Exception {
        Commands.check(work, List.of("sh", "-c", "gzip -9 -c vmlinux > Image.gz"));
        assertArrayEquals(certificate, KernelImage.builtinCertificates(Files.readAllBytes(work.resolve("Image.gz")),
                "Image.gz").get(0).getEncoded());
        assertArrayEquals(certificate, KernelImage.builtinCertificates(vmlinux, "vmlinux").get(0).getEncoded());
    }

    @Test
    void refusalsSayWhatIsWrong() {
        byte[] truncated = bzImage(new byte[] {(byte) 0xFD, '7', 'z', 'X', 'Z', 0, 1, 2, 3, 4}, 1000);
        IOException damaged = assertThrows(IOException.class, () -> KernelImage.kernel(truncated, "vmlinuz-x"));
        assertTrue(damaged.getMessage().startsWith("vmlinuz-x: cannot decompress the xz kernel ("), damaged.getMessage());
        byte[] lzo = bzImage(new byte[] {(byte) 0x89, 'L', 'Z', 'O', 0, 0, 0, 0}, 1000);
        IOException unsupported = assertThrows(IOException.class, () -> KernelImage.kernel(lzo, "vmlinuz-lzo"));
        assertTrue(unsupported.getMessage().startsWith("vmlinuz-lzo: an LZO-compressed kernel"), unsupported.getMessage());
        IOException notAKernel = assertThrows(IOException.class, () -> KernelImage.builtinCertificates(
                new byte[4096], "zeros"));
        assertEquals("zeros: not a kernel image (no bzImage or zboot header, no compression the kernel uses, not "
                + "ELF); give /boot/vmlinuz-KVER", notAKernel.getMessage());
        byte[] elf = new byte[4096];
        elf[0] = 0x7F;
        elf[1] = 'E';
        elf[2] = 'L';
        elf[3] = 'F';
        IOException none = assertThrows(IOException.class, () -> KernelImage.builtinCertificates(elf, "vmlinux"));
        assertEquals("vmlinux: no X.509 certificate in the kernel image (a kernel built without CONFIG_MODULE_SIG "
                + "has none); give the module certificate itself", none.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"amd64", "cloud"})
    void debianKernelsCarryTheirBuildKey(String flavour) throws IOException {
        Path moduleDir = DebianKernels.moduleDir(flavour);
        Path vmlinuz = moduleDir.getParent().getParent().getParent().resolve("boot/vmlinuz-" + moduleDir.getFileName());
        List<X509Certificate> found = KernelImage.builtinCertificates(Files.readAllBytes(vmlinuz), vmlinuz.toString());
        assertTrue(found.stream().anyMatch(c -> c.getSubjectX500Principal().getName()
                .equals("CN=Build time autogenerated kernel key")), found.toString());
    }

    /** A bzImage as the x86 boot protocol lays it out: setup sectors, "HdrS", payload offset and length. */
    private static byte[] bzImage(byte[] payload, int uncompressedSize) {
        int setupSectors = 3;
        int payloadOffset = 0x100;
        int start = (setupSectors + 1) * 512 + payloadOffset;
        ByteBuffer image = ByteBuffer.allocate(start + payload.length + 4 + 64).order(ByteOrder.LITTLE_ENDIAN);
        image.put(0x1F1, (byte) setupSectors);
        image.put(0x202, (byte) 'H').put(0x203, (byte) 'd').put(0x204, (byte) 'r').put(0x205, (byte) 'S');
        image.putInt(0x248, payloadOffset);
        image.putInt(0x24C, payload.length + 4);
        image.put(start, payload);
        image.putInt(start + payload.length, uncompressedSize);
        return image.array();
    }
}
