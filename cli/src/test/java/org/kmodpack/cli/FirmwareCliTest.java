package org.kmodpack.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.kmodpack.cli.CliTest.run;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.kmodpack.format.BlockRecord;
import org.kmodpack.reader.Bundle;
import org.kmodpack.reader.Entry;
import org.kmodpack.testkernels.Bytes;
import org.kmodpack.testkernels.SyntheticFirmware;
import org.kmodpack.testkernels.SyntheticKernel;
import org.kmodpack.testkernels.SyntheticKernels;

/** pack --firmware, ls --firmware, info, extract --firmware and verify on the synthetic firmware directory. */
class FirmwareCliTest {
    @TempDir
    static Path work;
    static Path firmware;
    static Path bundle;
    static Path plain;
    static CliTest.Run pack;

    @BeforeAll
    static void packWithFirmware() throws IOException {
        firmware = SyntheticFirmware.write(work.resolve("firmware"));
        bundle = work.resolve("firmware.kpack");
        pack = run("pack", SyntheticKernels.moduleDir(SyntheticKernel.FIRMWARE).toString(), "-o",
                bundle.toString(), "--block-size", "4K", "--firmware", firmware.toString(), "--firmware-extra",
                "acme/wifi-unused.bin");
        plain = work.resolve("plain.kpack");
        assertEquals(0, run("pack", SyntheticKernels.moduleDir(SyntheticKernel.FIRMWARE).toString(), "-o",
                plain.toString()).exit());
    }

    @Test
    void theSummaryCountsFirmwareFoundAndMissing() {
        assertEquals(0, pack.exit(), pack.err());
        assertTrue(pack.out().contains(bundle + ": firmware: 9 files, ")
                && pack.out().contains("for 7 names asked for; 1 missing (kmodpack ls --firmware lists them)"),
                pack.out());
    }

    @Test
    void firmwareNamesWithoutADirectoryAndFirmwareForALayerAreUsageErrors() throws IOException {
        String tree = SyntheticKernels.moduleDir(SyntheticKernel.FIRMWARE).toString();
        CliTest.Run extraAlone = run("pack", tree, "-o", work.resolve("x.kpack").toString(), "--firmware-extra",
                "a.bin");
        assertEquals(2, extraAlone.exit(), extraAlone.err());
        assertTrue(extraAlone.err().contains("need a firmware directory"), extraAlone.err());
        CliTest.Run layer = run("pack", tree, "--layer", "--kernel-version", "6.1.0", "--firmware",
                firmware.toString());
        assertEquals(2, layer.exit(), layer.err());
        assertTrue(layer.err().contains("--layer takes no --firmware"), layer.err());
    }

    @Test
    void lsListsEachFileWithTheModulesThatWantItAndTheMissingNames() {
        CliTest.Run ls = run("ls", "--firmware", "-R", bundle.toString());
        assertEquals(0, ls.exit(), ls.err());
        List<String> lines = ls.out().lines().toList();
        assertTrue(lines.contains("acme/wifi-1.bin\t(for acme_usb acme_wifi)"), ls.out());
        assertTrue(lines.contains("acme-usb.fw\t(for acme_usb)"), ls.out());
        assertTrue(lines.contains("acme/usb/v2.fw\t(for acme_usb)"), ls.out());
        assertTrue(lines.contains("acme/gpu/b.bin.zst\t(for acme_gpu)"), ls.out());
        assertTrue(lines.contains("acme/nic.fw.xz\t(for acme_nic)"), ls.out());
        assertTrue(lines.contains("acme/wifi-unused.bin"), "an extra name no module declares: " + ls.out());
        assertTrue(lines.contains("acme/absent.bin\t(missing, for acme_absent)"), ls.out());

        CliTest.Run longListing = run("ls", "--firmware", "-l", bundle.toString());
        assertTrue(longListing.out().lines().anyMatch(l -> l.startsWith("lrwxrwxrwx")
                && l.contains("acme-usb.fw -> acme/usb/v2.fw\t(for acme_usb)")), longListing.out());

        JsonArray json = JsonParser.parseString(run("ls", "--firmware", "--json", bundle.toString(), "acme").out())
                .getAsJsonArray();
        assertTrue(json.toString().contains("{\"path\":\"acme/nic.fw.zst\",\"type\":\"file\""), json.toString());
        assertTrue(json.toString().contains("\"modules\":[\"acme_nic\"]"), json.toString());

        CliTest.Run noFirmware = run("ls", "--firmware", plain.toString());
        assertEquals(1, noFirmware.exit());
        assertTrue(noFirmware.err().contains(plain + ": carries no firmware; pack it with --firmware DIR"),
                noFirmware.err());
    }

    @Test
    void infoCountsTheFirmwareAndItsJsonListsWhoWantsWhat() {
        CliTest.Run text = run("info", bundle.toString());
        assertTrue(text.out().contains("format version:  1.2"), text.out());
        assertTrue(text.out().contains("firmware:        9 files, "), text.out());
        JsonObject info = JsonParser.parseString(run("info", "--json", bundle.toString()).out()).getAsJsonObject();
        JsonObject firmwareJson = info.getAsJsonObject("firmware");
        assertEquals(9, firmwareJson.get("files").getAsInt());
        assertEquals("[{\"path\":\"acme/absent.bin\",\"modules\":[\"acme_absent\"]}]",
                firmwareJson.getAsJsonArray("missing").toString());
        assertTrue(firmwareJson.getAsJsonArray("wanted").toString()
                .contains("{\"path\":\"acme/gpu/a.bin\",\"modules\":[\"acme_gpu\"]}"), firmwareJson.toString());
    }

    @Test
    void extractWritesTheFirmwareTree() throws IOException {
        Path out = work.resolve("extracted-firmware");
        CliTest.Run extract = run("extract", "--firmware", bundle.toString(), out.toString());
        assertEquals(0, extract.exit(), extract.err());
        assertArrayEquals(Files.readAllBytes(firmware.resolve("acme/nic.fw.xz")),
                Files.readAllBytes(out.resolve("acme/nic.fw.xz")));
        assertEquals(Path.of("acme/usb/v2.fw"), Files.readSymbolicLink(out.resolve("acme-usb.fw")));
        assertEquals(SyntheticFirmware.UPDATED_WIFI, Files.readString(out.resolve("acme/wifi-1.bin")));
    }

    @Test
    void aSignedBundleWithFirmwareVerifies() throws IOException {
        assertEquals(0, run("keygen", "-o", work.resolve("release").toString()).exit());
        Path signed = work.resolve("signed.kpack");
        CliTest.Run packSigned = run("pack", SyntheticKernels.moduleDir(SyntheticKernel.FIRMWARE).toString(), "-o",
                signed.toString(), "--firmware", firmware.toString(), "--sign", work.resolve("release.key").toString());
        assertEquals(0, packSigned.exit(), packSigned.err());
        CliTest.Run verify = run("verify", signed.toString(), "--trust", work.resolve("release.pub").toString());
        assertEquals(0, verify.exit(), verify.out() + verify.err());
        assertTrue(verify.out().contains("every byte matches what they signed"), verify.out());
    }

    @Test
    void verifyChecksTheFirmwareBlocks() throws IOException {
        assertEquals(0, run("verify", "--allow-unsigned", bundle.toString()).exit());
        Path damaged = work.resolve("damaged.kpack");
        Files.copy(bundle, damaged);
        int block;
        try (Bundle opened = Bundle.open(bundle)) {
            Entry victim = opened.findFirmware("acme/gpu/a.bin").orElseThrow();
            block = (int) (opened.index().firmware().entry(victim.index() - opened.entries().size()).ref()
                    / opened.index().params().blockSize());
            BlockRecord record = opened.index().block(block);
            Bytes.flip(damaged, record.offset() + record.storedLength() / 2, 0x10);
        }
        CliTest.Run verify = run("verify", "--allow-unsigned", damaged.toString());
        assertEquals(1, verify.exit(), verify.out());
        assertTrue(verify.out().contains("damaged:     block " + block + " "), verify.out());
    }
}
