package org.kmodpack.packer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.common.jimfs.Configuration;
import com.google.common.jimfs.Jimfs;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.kmodpack.reader.Bundle;
import org.kmodpack.reader.Entry;
import org.kmodpack.reader.Extractor;

/** The packer reads and writes any java.nio file system: here an in-memory one, where nothing maps files. */
class JimfsPackTest {
    private static final FileTime MTIME = FileTime.from(Instant.parse("2024-05-06T07:08:09.123456789Z"));

    @Test
    void packsAndReadsAnInMemoryTree() throws IOException {
        try (FileSystem fs = Jimfs.newFileSystem(Configuration.unix().toBuilder()
                .setAttributeViews("basic", "owner", "posix", "unix").build())) {
            Path dir = fs.getPath("/lib/modules/6.1.0-jimfs");
            Files.createDirectories(dir.resolve("kernel/fs"));
            byte[] module = "\u007fELF pretend module".repeat(5000).getBytes(StandardCharsets.UTF_8);
            Files.write(dir.resolve("kernel/fs/pretend.ko"), module);
            Files.writeString(dir.resolve("modules.dep"), "kernel/fs/pretend.ko:\n");
            Files.write(dir.resolve("kernel/fs/same.ko"), module);
            Files.createSymbolicLink(dir.resolve("build"), fs.getPath("/usr/src/linux-headers-6.1.0-jimfs"));
            Files.setLastModifiedTime(dir.resolve("kernel/fs/pretend.ko"), MTIME);

            Path bundlePath = fs.getPath("/out/modules.kpack");
            Files.createDirectories(bundlePath.getParent());
            PackResult result = Packer.pack(fs.getPath("/"), bundlePath, PackOptions.defaults(), PackProgress.NONE);
            assertEquals("6.1.0-jimfs", result.kernelVersion());
            assertTrue(result.bundleBytes() < module.length, "two equal modules are stored once, compressed");

            try (Bundle bundle = Bundle.open(bundlePath)) {
                Entry pretend = bundle.get("kernel/fs/pretend.ko");
                assertArrayEquals(module, bundle.readAllBytes(pretend));
                assertEquals(MTIME, pretend.lastModified());
                assertEquals("/usr/src/linux-headers-6.1.0-jimfs", bundle.get("build").symlinkTarget());
                assertEquals(List.of("build", "kernel", "modules.dep"),
                        bundle.list(bundle.root()).stream().map(Entry::name).toList());
                Extractor.extract(bundle, fs.getPath("/restored"), List.of("kernel/fs/same.ko"), false);
                assertArrayEquals(module, Files.readAllBytes(fs.getPath("/restored/kernel/fs/same.ko")));
                assertTrue(Files.notExists(fs.getPath("/restored/modules.dep")), "only the asked-for path");
            }
        }
    }
}
