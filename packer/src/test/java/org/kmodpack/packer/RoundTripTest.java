package org.kmodpack.packer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.kmodpack.format.Codec;
import org.kmodpack.reader.Bundle;
import org.kmodpack.reader.Extractor;
import org.kmodpack.testkernels.DebianKernels;
import org.kmodpack.testkernels.SyntheticKernel;
import org.kmodpack.testkernels.SyntheticKernels;
import org.kmodpack.testkernels.TreeAssertions;

/** Pack, extract, and the tree that comes out is the tree that went in: bytes, modes, mtimes, links. */
class RoundTripTest {
    @TempDir
    Path work;

    @ParameterizedTest
    @EnumSource(SyntheticKernel.class)
    void syntheticTreesSurviveAPackAndExtract(SyntheticKernel kernel) throws IOException {
        assertRoundTrip(SyntheticKernels.moduleDir(kernel), PackOptions.defaults());
    }

    @ParameterizedTest
    @EnumSource(Codec.class)
    void everyCodecRoundTrips(Codec codec) throws IOException {
        assertRoundTrip(SyntheticKernels.moduleDir(SyntheticKernel.BASIC),
                PackOptions.defaults().withCodec(codec, CompressionLevel.DEFAULT).withBlockSize(64 << 10));
    }

    @Test
    void realDebianCloudKernelRoundTrips() throws IOException {
        assertRoundTrip(DebianKernels.moduleDir("cloud"), PackOptions.defaults());
    }

    @Test
    void sourceMayBeARootHoldingLibModules() throws IOException {
        Path root = SyntheticKernels.root(SyntheticKernel.I686);
        Path bundle = work.resolve("root.kpack");
        PackResult result = Packer.pack(root, bundle, PackOptions.defaults(), PackProgress.NONE);
        assertEquals(SyntheticKernel.I686.kernelVersion(), result.kernelVersion());
        try (Bundle opened = Bundle.open(bundle)) {
            assertEquals(SyntheticKernel.I686.kernelVersion(), opened.kernelVersion());
            assertArrayEquals(Files.readAllBytes(SyntheticKernels.moduleDir(SyntheticKernel.I686).resolve("modules.dep")),
                    opened.readAllBytes(opened.get("modules.dep")));
        }
    }

    private void assertRoundTrip(Path moduleDir, PackOptions options) throws IOException {
        Path bundle = work.resolve("bundle.kpack");
        PackResult result = Packer.pack(moduleDir, bundle, options, PackProgress.NONE);
        assertEquals(Files.size(bundle), result.bundleBytes());
        Path out = work.resolve("out");
        try (Bundle opened = Bundle.open(bundle)) {
            opened.verifyBlocks();
            Extractor.extract(opened, out, List.of(), true);
        }
        TreeAssertions.assertSameTree(moduleDir, out, true);
    }
}
