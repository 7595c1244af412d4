package org.kmodpack.format;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The LAYER section (spec/FORMAT.md section 15.1): what it decodes, and every malformed shape refused. */
class LayerSectionTest {
    private static final LayerSection SECTION = new LayerSection(
            "extra/a.ko\nupdates/b.ko\n".getBytes(StandardCharsets.UTF_8),
            List.of(new LayerSection.ConfigFile("10-a.conf", "search updates built-in\n"),
                    new LayerSection.ConfigFile("20-b.conf", "override b * updates\n")));

    @Test
    void whatIsEncodedDecodes() throws CorruptBundleException {
        LayerSection decoded = LayerSection.decode(ByteBuffer.wrap(SECTION.encode()), "t.kpack");
        assertArrayEquals(SECTION.order(), decoded.order());
        assertEquals(SECTION.config(), decoded.config());
    }

    @Test
    void malformedSectionsAreRefusedNamingTheBundle() {
        byte[] good = SECTION.encode();
        assertCorrupt(Forge.withInt(good, 0, 0), "magic");
        UnsupportedBundleException version = assertThrows(UnsupportedBundleException.class,
                () -> LayerSection.decode(ByteBuffer.wrap(Forge.withInt(good, 4, 2)), "t.kpack"));
        assertTrue(version.getMessage().contains("LAYER section version 2"), version.getMessage());
        assertCorrupt(Forge.withInt(good, 8, good.length), "do not fit");
        assertCorrupt(Forge.withInt(good, 12, 65), "do not fit");
        assertCorrupt(Forge.withInt(good, 12, 3), "ends inside configuration file 2");
        assertCorrupt(java.util.Arrays.copyOf(good, good.length + 1), "belong to nothing");
        assertCorrupt(java.util.Arrays.copyOf(good, good.length - 1), "runs past");
        byte[] swapped = new LayerSection(SECTION.order(), List.of(SECTION.config().get(1),
                SECTION.config().get(0))).encode();
        assertCorrupt(swapped, "out of order");
        byte[] notConf = new LayerSection(new byte[0], List.of(new LayerSection.ConfigFile("a.txt", ""))).encode();
        assertCorrupt(notConf, "ending in .conf");
        byte[] badUtf8 = SECTION.encode();
        badUtf8[16] = (byte) 0xff;
        assertCorrupt(badUtf8, "UTF-8");
    }

    private static void assertCorrupt(byte[] section, String reason) {
        HostileBundles.sectionRefused(() -> LayerSection.decode(ByteBuffer.wrap(section), "t.kpack"), reason);
    }
}
