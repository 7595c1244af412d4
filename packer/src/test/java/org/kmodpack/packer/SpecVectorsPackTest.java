package org.kmodpack.packer;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.common.jimfs.Configuration;
import com.google.common.jimfs.Jimfs;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystem;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.kmodpack.format.Codec;
import org.kmodpack.testkernels.SpecVectors;

/**
 * The packer writes spec/FORMAT.md's test vectors byte for byte: the tiny tree the section "Test vectors"
 * describes, built in Jimfs as described there and packed with the documented options, gives exactly the
 * bytes of the vector's hex block, which the reader's tests decode.
 */
class SpecVectorsPackTest {
    @ParameterizedTest
    @ValueSource(strings = {"tiny-none", "tiny-zstd"})
    void thePackerWritesTheVectorOfItsTree(String vector) throws IOException {
        try (FileSystem fs = Jimfs.newFileSystem(Configuration.unix().toBuilder()
                .setAttributeViews("basic", "owner", "posix", "unix").build())) {
            Path tree = tinyTree(fs, vector.equals("tiny-none") ? "hello\n" : "hello\n".repeat(64));
            Path bundle = fs.getPath("/out/" + vector + ".kpack");
            Files.createDirectories(bundle.getParent());
            PackOptions options = PackOptions.defaults().withBlockSize(4096).withThreads(1)
                    .withCodec(vector.equals("tiny-none") ? Codec.NONE : Codec.ZSTD, CompressionLevel.of(3));
            Packer.pack(tree, bundle, options, PackProgress.NONE);

            assertEquals(HexFormat.of().formatHex(SpecVectors.bytes(vector)),
                    HexFormat.of().formatHex(Files.readAllBytes(bundle)), vector);
        }
    }

    @Test
    void thePackerWritesTheFirmwareVector() throws IOException {
        try (FileSystem fs = Jimfs.newFileSystem(Configuration.unix().toBuilder()
                .setAttributeViews("basic", "owner", "posix", "unix").build())) {
            Path tree = tinyTree(fs, "hello\n");
            Path firmware = fs.getPath("/firmware");
            Path acme = Files.createDirectories(firmware.resolve("acme"));
            Path blob = Files.writeString(acme.resolve("fw.bin"), "firmware\n", StandardCharsets.US_ASCII);
            Path link = Files.createSymbolicLink(firmware.resolve("acme-fw.bin"), fs.getPath("acme/fw.bin"));
            Files.getFileAttributeView(link, PosixFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
                    .setPermissions(PosixFilePermissions.fromString("rwxrwxrwx"));
            Files.setPosixFilePermissions(blob, PosixFilePermissions.fromString("rw-r--r--"));
            Files.setPosixFilePermissions(acme, PosixFilePermissions.fromString("rwxr-xr-x"));
            Files.setPosixFilePermissions(firmware, PosixFilePermissions.fromString("rwxr-xr-x"));
            setMtime(blob, "2024-01-02T03:04:10Z");
            setMtime(link, "2024-01-02T03:04:10Z");
            setMtime(acme, "2024-01-02T03:04:11Z");
            setMtime(firmware, "2024-01-02T03:04:12Z");

            Path bundle = fs.getPath("/out/tiny-firmware.kpack");
            Files.createDirectories(bundle.getParent());
            PackOptions options = PackOptions.defaults().withBlockSize(4096).withThreads(1)
                    .withCodec(Codec.NONE, CompressionLevel.of(3))
                    .withFirmware(new FirmwareSelection(List.of(firmware), List.of(), true));
            Packer.pack(tree, bundle, options, PackProgress.NONE);

            assertEquals(HexFormat.of().formatHex(SpecVectors.bytes("tiny-firmware")),
                    HexFormat.of().formatHex(Files.readAllBytes(bundle)), "tiny-firmware");
        }
    }

    /** The tiny tree of the spec's "Test vectors", {@code hello} being hello.ko's content. */
    private static Path tinyTree(FileSystem fs, String hello) throws IOException {
        Path tree = fs.getPath("/6.1.0-tiny");
        Path kernel = Files.createDirectories(tree.resolve("kernel"));
        Path helloKo = Files.writeString(kernel.resolve("hello.ko"), hello, StandardCharsets.US_ASCII);
        Path emptyKo = Files.write(kernel.resolve("empty.ko"), new byte[0]);
        Files.createLink(kernel.resolve("link.ko"), helloKo);
        Path build = Files.createSymbolicLink(tree.resolve("build"), fs.getPath("/usr/src/x"));
        Files.getFileAttributeView(build, PosixFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
                .setPermissions(PosixFilePermissions.fromString("rwxrwxrwx"));
        Files.setPosixFilePermissions(helloKo, PosixFilePermissions.fromString("rw-r--r--"));
        Files.setPosixFilePermissions(emptyKo, PosixFilePermissions.fromString("rw-------"));
        Files.setPosixFilePermissions(kernel, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.setPosixFilePermissions(tree, PosixFilePermissions.fromString("rwxr-xr-x"));
        setMtime(helloKo, "2024-01-02T03:04:05.123456789Z");
        setMtime(emptyKo, "2024-01-02T03:04:06Z");
        setMtime(build, "2024-01-02T03:04:07Z");
        setMtime(kernel, "2024-01-02T03:04:08Z");
        setMtime(tree, "2024-01-02T03:04:09Z");
        return tree;
    }

    @Test
    void thePackerWritesTheLayerVector() throws IOException {
        try (FileSystem fs = Jimfs.newFileSystem(Configuration.unix().toBuilder()
                .setAttributeViews("basic", "owner", "posix", "unix").build())) {
            Path layer = fs.getPath("/layer");
            Path updates = Files.createDirectories(layer.resolve("updates"));
            Path helloKo = Files.writeString(updates.resolve("hello.ko"), "hello\n", StandardCharsets.US_ASCII);
            Path config = Files.createDirectories(layer.resolve("depmod.d"));
            Files.writeString(config.resolve("hello.conf"), "override hello * updates\n", StandardCharsets.US_ASCII);
            Files.setPosixFilePermissions(helloKo, PosixFilePermissions.fromString("rw-r--r--"));
            Files.setPosixFilePermissions(updates, PosixFilePermissions.fromString("rwxr-xr-x"));
            Files.setPosixFilePermissions(layer, PosixFilePermissions.fromString("rwxr-xr-x"));
            setMtime(helloKo, "2024-01-02T03:04:05.123456789Z");
            setMtime(updates, "2024-01-02T03:04:08Z");
            setMtime(layer, "2024-01-02T03:04:09Z");

            Path bundle = fs.getPath("/out/tiny-layer.kpack");
            Files.createDirectories(bundle.getParent());
            PackOptions options = PackOptions.defaults().withBlockSize(4096).withThreads(1)
                    .withCodec(Codec.NONE, CompressionLevel.of(3)).withKernelVersion("6.1.0-tiny");
            Packer.packLayer(layer, bundle, options, List.of(), StatementTerms.defaults(), PackProgress.NONE);

            assertEquals(HexFormat.of().formatHex(SpecVectors.bytes("tiny-layer")),
                    HexFormat.of().formatHex(Files.readAllBytes(bundle)), "tiny-layer");
        }
    }

    private static void setMtime(Path path, String instant) throws IOException {
        Files.getFileAttributeView(path, BasicFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
                .setTimes(FileTime.from(Instant.parse(instant)), null, null);
    }
}
