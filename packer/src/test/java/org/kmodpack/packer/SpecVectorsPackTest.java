package org.kmodpack.packer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

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
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.kmodpack.format.Codec;
import org.kmodpack.modules.DepmodOptions;
import org.kmodpack.modules.KernelSymbols;
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
        try (FileSystem fs = unixJimfs()) {
            Path tree = tinyTree(fs, vector.equals("tiny-none") ? "hello\n" : "hello\n".repeat(64));
            Codec codec = vector.equals("tiny-none") ? Codec.NONE : Codec.ZSTD;
            assertWrites(vector, fs, bundle -> Packer.pack(tree, bundle, options(codec), PackProgress.NONE));
        }
    }

    @Test
    void thePackerWritesTheFirmwareVector() throws IOException {
        try (FileSystem fs = unixJimfs()) {
            Path tree = tinyTree(fs, "hello\n");
            Path firmware = fs.getPath("/firmware");
            Path acme = Files.createDirectories(firmware.resolve("acme"));
            Path blob = Files.writeString(acme.resolve("fw.bin"), "firmware\n", StandardCharsets.US_ASCII);
            Path link = Files.createSymbolicLink(firmware.resolve("acme-fw.bin"), fs.getPath("acme/fw.bin"));
            stamp(blob, "rw-r--r--", "2024-01-02T03:04:10Z");
            stamp(link, "rwxrwxrwx", "2024-01-02T03:04:10Z");
            stamp(acme, "rwxr-xr-x", "2024-01-02T03:04:11Z");
            stamp(firmware, "rwxr-xr-x", "2024-01-02T03:04:12Z");
            FirmwareSelection all = new FirmwareSelection(List.of(firmware), List.of(), true);
            assertWrites("tiny-firmware", fs, bundle -> Packer.pack(tree, bundle, options(Codec.NONE).withFirmware(all),
                    PackProgress.NONE));
        }
    }

    @Test
    void thePackerWritesTheLayerVector() throws IOException {
        try (FileSystem fs = unixJimfs()) {
            Path layer = fs.getPath("/layer");
            Path updates = Files.createDirectories(layer.resolve("updates"));
            Path helloKo = Files.writeString(updates.resolve("hello.ko"), "hello\n", StandardCharsets.US_ASCII);
            Path config = Files.createDirectories(layer.resolve("depmod.d"));
            Files.writeString(config.resolve("hello.conf"), "override hello * updates\n", StandardCharsets.US_ASCII);
            stamp(helloKo, "rw-r--r--", "2024-01-02T03:04:05.123456789Z");
            stamp(updates, "rwxr-xr-x", "2024-01-02T03:04:08Z");
            stamp(layer, "rwxr-xr-x", "2024-01-02T03:04:09Z");
            assertWrites("tiny-layer", fs, bundle -> Packer.packLayer(layer, bundle,
                    options(Codec.NONE).withKernelVersion("6.1.0-tiny"), List.of(), StatementTerms.defaults(),
                    PackProgress.NONE));
        }
    }

    @Test
    void thePackerWritesTheBlockStartsVector() throws IOException {
        try (FileSystem fs = unixJimfs()) {
            Path tree = tinyTree(fs, "hello\n".repeat(500));
            Path kernel = tree.resolve("kernel");
            Path worldKo = Files.writeString(kernel.resolve("world.ko"), "world\n".repeat(500),
                    StandardCharsets.US_ASCII);
            stamp(worldKo, "rw-r--r--", "2024-01-02T03:04:10Z");
            stamp(kernel, "rwxr-xr-x", "2024-01-02T03:04:08Z");
            stamp(tree, "rwxr-xr-x", "2024-01-02T03:04:09Z");
            assertWrites("tiny-resync", fs, bundle -> Packer.pack(tree, bundle,
                    options(Codec.ZSTD).withResyncBlocks(true), PackProgress.NONE));
        }
    }

    @Test
    void thePackerWritesTheKernelSymbolsVector() throws IOException {
        try (FileSystem fs = unixJimfs()) {
            Path tree = tinyTree(fs, "hello\n");
            byte[] symvers = ("0x12345678\tprintk\tvmlinux\tEXPORT_SYMBOL\n"
                    + "0x0000abcd\tkmalloc\tvmlinux\tEXPORT_SYMBOL\n"
                    + "0xdeadbeef\tkfree\tvmlinux\tEXPORT_SYMBOL_GPL\n"
                    + "0x11111111\tcrc32c\tlib/libcrc32c\tEXPORT_SYMBOL\n").getBytes(StandardCharsets.US_ASCII);
            KernelSymbols symbols = KernelSymbols.fromSymvers("Module.symvers", symvers,
                    DepmodOptions.NO_SYMBOL_PREFIX, problem -> fail(problem.toString()));
            assertWrites("tiny-symbols", fs, bundle -> Packer.pack(tree, bundle,
                    options(Codec.NONE).withKernelSymbols(Optional.of(symbols)), PackProgress.NONE));
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
        stamp(helloKo, "rw-r--r--", "2024-01-02T03:04:05.123456789Z");
        stamp(emptyKo, "rw-------", "2024-01-02T03:04:06Z");
        stamp(build, "rwxrwxrwx", "2024-01-02T03:04:07Z");
        stamp(kernel, "rwxr-xr-x", "2024-01-02T03:04:08Z");
        stamp(tree, "rwxr-xr-x", "2024-01-02T03:04:09Z");
        return tree;
    }

    /** An in-memory file system with the unix view, whose uid and gid are 1 and 2, as the vectors record them. */
    private static FileSystem unixJimfs() {
        return Jimfs.newFileSystem(Configuration.unix().toBuilder()
                .setAttributeViews("basic", "owner", "posix", "unix").build());
    }

    /** The options the vectors are packed with: {@code codec} at level 3, 4 KiB blocks, one thread. */
    private static PackOptions options(Codec codec) {
        return PackOptions.defaults().withBlockSize(4096).withThreads(1).withCodec(codec, CompressionLevel.of(3));
    }

    /** Packs into a bundle of the file system. */
    private interface PackInto {
        void pack(Path bundle) throws IOException;
    }

    private static void assertWrites(String vector, FileSystem fs, PackInto packer) throws IOException {
        Path bundle = Files.createDirectories(fs.getPath("/out")).resolve(vector + ".kpack");
        packer.pack(bundle);
        assertEquals(HexFormat.of().formatHex(SpecVectors.bytes(vector)),
                HexFormat.of().formatHex(Files.readAllBytes(bundle)), vector);
    }

    /** Sets an entry's permissions and mtime, after what it holds is written (writing a child changes its mtime). */
    private static void stamp(Path path, String permissions, String mtime) throws IOException {
        Files.getFileAttributeView(path, PosixFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
                .setPermissions(PosixFilePermissions.fromString(permissions));
        Files.getFileAttributeView(path, BasicFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
                .setTimes(FileTime.from(Instant.parse(mtime)), null, null);
    }
}
