package org.kmodpack.testkernels;

import static org.kmodpack.testkernels.ModuleBuilder.module;

import java.util.List;

/**
 * Modules that ask for firmware, one for each way {@link SyntheticFirmware}'s directory serves a name: a plain
 * file (overridden in updates/KVER), compressed variants only, a glob, a symlink, and nothing at all.
 */
final class FirmwareTree {
    private FirmwareTree() {
    }

    static TreeSpec spec(String kernelVersion) {
        List<ModuleSpec> modules = List.of(
                module("kernel/drivers/net/wireless/acme/acme_wifi", "Wi-Fi with a board file")
                        .firmware("acme/wifi-1.bin").firmware("acme/wifi-board.txt").build(),
                module("kernel/drivers/net/ethernet/acme/acme_nic", "NIC with compressed firmware")
                        .compressed(Compression.XZ).firmware("acme/nic.fw").build(),
                module("kernel/drivers/gpu/acme/acme_gpu", "GPU asking for a glob")
                        .compressed(Compression.ZSTD).firmware("acme/gpu/*.bin").build(),
                module("kernel/drivers/usb/misc/acme_usb", "USB device whose firmware name is a symlink")
                        .firmware("acme-usb.fw").firmware("acme/wifi-1.bin").build(),
                module("kernel/drivers/misc/acme_absent", "asks for firmware nobody ships")
                        .firmware("acme/absent.bin").build(),
                module("kernel/drivers/misc/acme_plain", "needs no firmware").build());
        return new TreeSpec(kernelVersion, Toolchain.HOST, modules, List.of(), List.of(), List.of());
    }
}
