package org.kmodpack.packer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.kmodpack.format.LayerSection;
import org.kmodpack.reader.Bundle;
import org.kmodpack.reader.Entry;
import org.kmodpack.testkernels.SyntheticKernel;
import org.kmodpack.testkernels.SyntheticLayers;

/** Packing a partial module directory as a layer (format 1.1): what goes into the tree and the LAYER section. */
class LayerPackTest {
    private static final String KVER = SyntheticKernel.BASIC.kernelVersion();

    @TempDir
    Path work;

    @Test
    void aLayerWithoutModulesOrderListsItsModulesInPathOrderAndCarriesItsDepmodConfig() throws IOException {
        Path layer = SyntheticLayers.vendor(work.resolve("vendor"));
        Path bundle = pack(layer, KVER);
        try (Bundle opened = Bundle.open(bundle)) {
            assertEquals("1.1", opened.info().formatVersion());
            assertEquals(KVER, opened.kernelVersion());
            assertTrue(opened.modules().isEmpty(), "a layer has no depmod output of its own");
            LayerSection section = opened.layer().orElseThrow();
            assertEquals("extra/vendor/layer_top.ko\nextra/vendor/standalone.ko\nupdates/diamond_bottom.ko\n",
                    new String(section.order(), StandardCharsets.UTF_8));
            assertEquals(List.of(new LayerSection.ConfigFile("vendor.conf", "override standalone * extra/vendor\n")),
                    section.config());
            assertEquals(List.of("", "extra", "updates", "extra/vendor", "updates/diamond_bottom.ko",
                    "extra/vendor/layer_top.ko", "extra/vendor/standalone.ko"),
                    opened.entries().stream().map(Entry::path).toList(), "depmod.d went into the section");
            assertArrayEquals(Files.readAllBytes(layer.resolve("updates/diamond_bottom.ko")),
                    opened.readAllBytes(opened.get("updates/diamond_bottom.ko")));
        }
    }

    @Test
    void aLayerKeepsItsOwnModulesOrder() throws IOException {
        Path layer = SyntheticLayers.tools(work.resolve("tools"));
        try (Bundle opened = Bundle.open(pack(layer, KVER))) {
            assertEquals("extra/tools/chain_tail.ko\nupdates/pps_lite.ko\n",
                    new String(opened.layer().orElseThrow().order(), StandardCharsets.UTF_8));
            assertTrue(opened.layer().orElseThrow().config().isEmpty());
            assertFalse(opened.find("modules.order").isPresent(), "modules.order went into the section");
        }
    }

    @Test
    void aSignedLayerVerifies() throws IOException {
        Path layer = SyntheticLayers.tools(work.resolve("tools"));
        KeyGenerator.KeyFiles key = KeyGenerator.generate(work.resolve("dkms"));
        Path bundle = work.resolve("signed.kpack");
        Packer.packLayer(layer, bundle, PackOptions.defaults().withKernelVersion(KVER),
                List.of(SigningKey.load(key.privateKey(), null)), StatementTerms.defaults(), PackProgress.NONE);
        try (Bundle opened = Bundle.open(bundle, org.kmodpack.reader.TrustPolicy.trusting(
                List.of(key.publicKey())))) {
            assertTrue(opened.layer().isPresent());
        }
    }

    @Test
    void aFileOfTheModuleDirectoryItselfIsRefusedNamingIt() throws IOException {
        Path layer = SyntheticLayers.tools(work.resolve("tools"));
        Files.writeString(layer.resolve("modules.dep"), "");
        IOException refused = assertThrows(IOException.class, () -> pack(layer, KVER));
        assertTrue(refused.getMessage().startsWith(layer.resolve("modules.dep") + ": a layer holds modules in "
                + "folders"), refused.getMessage());
        assertFalse(Files.exists(work.resolve("layer.kpack")));
    }

    @Test
    void aLayerNeedsAKernelVersionAndModules() throws IOException {
        Path layer = SyntheticLayers.tools(work.resolve("tools"));
        IOException noVersion = assertThrows(IOException.class, () -> pack(layer, null));
        assertTrue(noVersion.getMessage().contains("--kernel-version KVER"), noVersion.getMessage());
        Path empty = Files.createDirectories(work.resolve("empty/updates"));
        IOException noModules = assertThrows(IOException.class, () -> pack(empty.getParent(), KVER));
        assertTrue(noModules.getMessage().contains("holds no modules"), noModules.getMessage());
        Path config = Files.createDirectories(layer.resolve("depmod.d"));
        Files.writeString(config.resolve("README"), "");
        IOException notConf = assertThrows(IOException.class, () -> pack(layer, KVER));
        assertTrue(notConf.getMessage().startsWith(config.resolve("README") + ": depmod reads only"),
                notConf.getMessage());
    }

    private Path pack(Path layer, String kernelVersion) throws IOException {
        Path bundle = work.resolve("layer.kpack");
        Packer.packLayer(layer, bundle, PackOptions.defaults().withKernelVersion(kernelVersion), List.of(),
                StatementTerms.defaults(), PackProgress.NONE);
        return bundle;
    }
}
