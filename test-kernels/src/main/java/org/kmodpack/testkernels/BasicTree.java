package org.kmodpack.testkernels;

import static org.kmodpack.testkernels.ModuleBuilder.module;

import java.util.List;

/**
 * The main synthetic tree. Each group below exists for one kind of question a reader must answer like kmod;
 * test-kernels/README.md lists them.
 */
final class BasicTree {
    /** Several MiB, so that a packer has to split the module over many compression blocks. */
    static final int BIG_MODULE_BYTES = 6 * 1024 * 1024;

    private BasicTree() {
    }

    static TreeSpec spec(String kernelVersion) {
        return new TreeSpec(kernelVersion, Toolchain.HOST, modules(), builtins(), List.of("printk", "kmalloc", "kfree"),
                extras(kernelVersion));
    }

    private static List<ModuleSpec> modules() {
        return List.of(
                // Chain a -> b -> c -> d, each link stored differently.
                module("kernel/lib/chain/chain_a", "chain head").compressed(Compression.XZ)
                        .exports("chain_a_run").imports("chain_b_run", "printk").build(),
                module("kernel/lib/chain/chain_b", "chain link").compressed(Compression.XZ)
                        .exports("chain_b_run").imports("chain_c_run").build(),
                module("kernel/lib/chain/chain_c", "chain link").compressed(Compression.ZSTD)
                        .exports("chain_c_run").imports("chain_d_run").build(),
                module("kernel/lib/chain/chain_d", "chain end").exports("chain_d_run").build(),
                // Diamond top -> left, right -> bottom.
                module("kernel/drivers/diamond/diamond_top", "diamond top")
                        .imports("diamond_left_run", "diamond_right_run").build(),
                module("kernel/drivers/diamond/diamond_left", "diamond left").compressed(Compression.XZ)
                        .exports("diamond_left_run").imports("diamond_bottom_run").build(),
                module("kernel/drivers/diamond/diamond_right", "diamond right").compressed(Compression.ZSTD)
                        .exports("diamond_right_run").imports("diamond_bottom_run").build(),
                module("kernel/drivers/diamond/diamond_bottom", "diamond bottom")
                        .exports("diamond_bottom_run", "diamond_bottom_count").build(),
                module("kernel/drivers/misc/standalone", "no dependencies at all").alias("platform:standalone").build(),
                // Overlapping PCI wildcards: e1000e's are the most specific, generic_eth's the least.
                module("kernel/drivers/net/ethernet/intel/e1000e/e1000e", "Intel PRO/1000 lookalike")
                        .compressed(Compression.XZ)
                        .alias("pci:v00008086d000010D3sv*sd*bc*sc*i*", "pci:v00008086d000010D4sv*sd*bc*sc*i*")
                        .firmware("e1000e/e1000e-test.bin")
                        .intParameter("debug", "Debug level (0=none,...,16=all)")
                        .intParameter("copybreak", "Maximum size of packet that is copied to a new buffer on receive")
                        .imports("ptp_lite_register").build(),
                module("kernel/drivers/net/ethernet/intel/igb/igb", "Intel gigabit lookalike").compressed(Compression.XZ)
                        .alias("pci:v00008086d*sv*sd*bc02sc00i*").imports("ptp_lite_register").build(),
                module("kernel/drivers/net/ethernet/generic-eth", "any Ethernet controller").compressed(Compression.ZSTD)
                        .alias("pci:v*d*sv*sd*bc02sc00i*").build(),
                module("kernel/drivers/ptp/ptp_lite", "clock").compressed(Compression.ZSTD)
                        .exports("ptp_lite_register").imports("pps_lite_register").build(),
                module("kernel/drivers/pps/pps_lite", "pulse per second").compressed(Compression.XZ)
                        .exports("pps_lite_register").build(),
                // A dash in the file name: the module name has an underscore.
                module("kernel/drivers/usb/storage/usb-storage-lite", "USB mass storage lookalike")
                        .compressed(Compression.XZ)
                        .alias("usb:v1234p*d*dc*dsc*dp*ic*isc*ip*in*", "usb:v*p*d*dc*dsc*dp*ic08isc06ip50in*")
                        .intParameter("delay_use", "seconds to delay before using a new device")
                        .exports("usb_stor_lite_probe").build(),
                module("kernel/drivers/usb/storage/uas-lite", "USB attached SCSI lookalike").compressed(Compression.XZ)
                        .alias("usb:v1234p5678d*dc*dsc*dp*ic08isc06ip62in*").softdep("pre: usb_storage_lite")
                        .imports("usb_stor_lite_probe").build(),
                // A bracket class in an alias pattern.
                module("kernel/drivers/acpi/acpi_button_lite", "ACPI button lookalike")
                        .alias("acpi*:PNP0C0[CDE]:*", "platform:button-lite").build(),
                // alias devname: plus char-major- feeds modules.devname.
                module("kernel/fs/fuse/fuse_lite", "filesystem in userspace lookalike").compressed(Compression.XZ)
                        .alias("fs-fuse", "devname:fuse", "char-major-10-229").build(),
                module("kernel/drivers/misc/softdep_user", "soft dependencies only")
                        .softdep("pre: standalone post: chain_d").build(),
                // Soft dependency on a built-in module.
                module("kernel/crypto/crc_user", "uses built-in crc32c").compressed(Compression.ZSTD)
                        .softdep("pre: crc32c_generic").imports("kmalloc", "kfree").build(),
                // Same module name twice: depmod must pick updates/.
                module("kernel/drivers/misc/dup_mod", "in-tree copy, shadowed by updates/")
                        .exports("dup_mod_run").build(),
                module("updates/dup_mod", "updated copy, wins over kernel/").exports("dup_mod_run").build(),
                module("updates/dkms/vendor_drv", "out-of-tree driver").compressed(Compression.XZ)
                        .imports("chain_a_run", "dup_mod_run").build(),
                // A weak import of an exported symbol is still a dependency; of an absent one, nothing.
                module("kernel/drivers/misc/weak_user", "weak references")
                        .weakImports("diamond_left_run", "absent_optional_hook").build(),
                module("extra/with space", "file name with a space").imports("diamond_bottom_run").build(),
                module("extra/plus+hash#mod", "file name with + and # \u00fcn\u00efc\u00f6d\u00e9 description")
                        .compressed(Compression.ZSTD).alias("platform:plus+hash").build(),
                // Exports without __crc_ symbols, depmod's other way of finding exports.
                module("extra/nocrc_provider", "exports without modversions").withoutCrcs()
                        .exports("nocrc_provide").build(),
                module("extra/nocrc_consumer", "uses a symbol without modversions").compressed(Compression.XZ)
                        .imports("nocrc_provide").build(),
                module("kernel/drivers/gpu/big_blob", "several MiB of data").blob(BIG_MODULE_BYTES)
                        .imports("diamond_bottom_count").build(),
                module("kernel/sound/snd-dummy-lite", "sound card lookalike").compressed(Compression.ZSTD)
                        .alias("platform:snd_dummy_lite").intParameter("index", "Index value for the card").build());
    }

    private static List<BuiltinModule> builtins() {
        return List.of(
                new BuiltinModule("kernel/crypto/crc32c_generic.ko", List.of("license=GPL",
                        "description=CRC32c (Castagnoli) calculations wrapper for lib/crc32c",
                        "alias=crypto-crc32c", "alias=crypto-crc32c-generic")),
                new BuiltinModule("kernel/drivers/usb/host/ehci-hcd.ko", List.of("license=GPL",
                        "alias=pci:v*d*sv*sd*bc0Csc03i20*", "parm=log2_irq_thresh:log2 IRQ latency, 1-64 microframes",
                        "parmtype=log2_irq_thresh:int")),
                new BuiltinModule("kernel/fs/ext4/ext4.ko", List.of("license=GPL", "alias=fs-ext4", "alias=ext3",
                        "alias=fs-ext3")),
                // Built in without any .modinfo of its own.
                new BuiltinModule("kernel/lib/zlib_inflate/zlib_inflate.ko", List.of()));
    }

    private static List<TreeEntry> extras(String kernelVersion) {
        return List.of(
                // As on a distribution: absolute links out of the tree, which depmod skips by name.
                new TreeEntry.Symlink("build", "/usr/src/linux-headers-" + kernelVersion),
                new TreeEntry.Symlink("source", "/usr/src/linux-source-" + kernelVersion),
                new TreeEntry.Symlink("extra/firmware-link", "../modules.order"),
                new TreeEntry.File("extra/empty.bin", "", 0644),
                new TreeEntry.EmptyDirectory("kernel/drivers/empty-dir"),
                new TreeEntry.File("extra/notes.txt", "one file, two names\n", 0644),
                new TreeEntry.HardLink("extra/notes-hardlink.txt", "extra/notes.txt"),
                new TreeEntry.File("extra/same-1.txt", "two files, same bytes\n", 0644),
                new TreeEntry.File("extra/same-2.txt", "two files, same bytes\n", 0644),
                // depmod 30 crashes indexing a module named with non-ASCII letters, so such names go on data files.
                new TreeEntry.File("extra/\u00fcn\u00efc\u00f6d\u00e9-notes.txt", "non-ASCII file name\n", 0644),
                new TreeEntry.File("extra/-dash-file", "leading dash\n", 0644),
                new TreeEntry.File("extra/private.conf", "readable by the owner only\n", 0600),
                new TreeEntry.File("extra/hook.sh", "#!/bin/sh\nexit 0\n", 0755));
    }
}
