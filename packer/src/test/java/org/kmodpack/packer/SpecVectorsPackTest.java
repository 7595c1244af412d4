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
            Path tree = fs.getPath("/6.1.0-tiny");
            Path kernel = Files.createDirectories(tree.resolve("kernel"));
            String hello = vector.equals("tiny-none") ? "hello\n" : "hello\n".repeat(64);
            Path helloKo = Files.writeString(kernel.resolve("hello.ko"), hello, StandardCharsets.US_ASCII);
            Path emptyKo = Files.write(kernel.resolve("empty.ko"), new byte[0]);
            Files.createLink(kernel.resolve("link.ko"), helloKo);
            Path build = Files.createSymbolicLink(tree.resolve("build"), fs.getPath("/usr/src/x"));
            stamp(helloKo, "rw-r--r--", "2024-01-02T03:04:05.123456789Z");
            stamp(emptyKo, "rw-------", "2024-01-02T03:04:06Z");
            stamp(build, "rwxrwxrwx", "2024-01-02T03:04:07Z");
            stamp(kernel, "rwxr-xr-x", "2024-01-02T03:04:08Z");
            stamp(tree, "rwxr-xr-x", "2024-01-02T03:04:09Z");

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
    void thePackerWritesTheLayerVector() throws IOException {
        try (FileSystem fs = Jimfs.newFileSystem(Configuration.unix().toBuilder()
                .setAttributeViews("basic", "owner", "posix", "unix").build())) {
            Path layer = fs.getPath("/layer");
            Path updates = Files.createDirectories(layer.resolve("updates"));
            Path helloKo = Files.writeString(updates.resolve("hello.ko"), "hello\n", StandardCharsets.US_ASCII);
            Path config = Files.createDirectories(layer.resolve("depmod.d"));
            Files.writeString(config.resolve("hello.conf"), "override hello * updates\n", StandardCharsets.US_ASCII);
            stamp(helloKo, "rw-r--r--", "2024-01-02T03:04:05.123456789Z");
            stamp(updates, "rwxr-xr-x", "2024-01-02T03:04:08Z");
            stamp(layer, "rwxr-xr-x", "2024-01-02T03:04:09Z");

            Path bundle = fs.getPath("/out/tiny-layer.kpack");
            Files.createDirectories(bundle.getParent());
            PackOptions options = PackOptions.defaults().withBlockSize(4096).withThreads(1)
                    .withCodec(Codec.NONE, CompressionLevel.of(3)).withKernelVersion("6.1.0-tiny");
            Packer.packLayer(layer, bundle, options, List.of(), StatementTerms.defaults(), PackProgress.NONE);

            assertEquals(HexFormat.of().formatHex(SpecVectors.bytes("tiny-layer")),
                    HexFormat.of().formatHex(Files.readAllBytes(bundle)), "tiny-layer");
        }
    }

    /** Gives {@code path} (a link itself, not its target) the permissions and mtime the spec's tree has. */
    private static void stamp(Path path, String permissions, String mtime) throws IOException {
        PosixFileAttributeView view = Files.getFileAttributeView(path, PosixFileAttributeView.class,
                LinkOption.NOFOLLOW_LINKS);
        view.setPermissions(PosixFilePermissions.fromString(permissions));
        view.setTimes(FileTime.from(Instant.parse(mtime)), null, null);
    }
}
