package org.kmodpack.cli;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.kmodpack.cli.QemuGuestTest.GuestStep.*;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.commons.compress.archivers.cpio.CpioArchiveEntry;
import org.apache.commons.compress.archivers.cpio.CpioArchiveOutputStream;
import org.apache.commons.compress.archivers.cpio.CpioConstants;
import org.junit.jupiter.api.Test;
import org.kmodpack.testkernels.Bytes;
import org.kmodpack.testkernels.DebianKernels;
import org.kmodpack.testkernels.DebianLayerModules;
import org.kmodpack.testkernels.SyntheticKernel;
import org.kmodpack.testkernels.SyntheticKernels;
import org.kmodpack.testkernels.TestData;

/**
 * The whole product on a real kernel: Debian's generic kernel boots under qemu (software emulation) from an
 * initramfs made by {@code kmodpack initramfs} (virtio_pci, 9pnet_virtio, 9p and their dependencies, loaded by
 * busybox's modprobe), mounts this host's root read-only over virtio-9p and runs this checkout's kmodpack with the
 * host's JVM inside the guest: it loads btrfs from the bundle (with the JVM's default settings), mounts the
 * bundle where kmod looks (the mount loads fuse from the bundle itself, the kernel having none) so that kmod's own
 * modprobe loads e1000e from it, refuses a bundle with a damaged module, and removes btrfs again. A bundle of a
 * module built against Debian's linux-headers that loads only with its firmware, packed with that firmware, is
 * mounted too: the kernel's firmware loader reads the firmware from /lib/firmware/updates/KVER, where the mount
 * serves it, and the module shows the CRC-32 of what it got; from a copy with a damaged firmware block, the
 * module fails to load for want of its firmware while the bundle's other module loads. Then the base bundle (signed
 * by a vendor key) is mounted with a layer of out-of-tree modules built against those headers (signed by a second
 * key, trusted for layers only): kmod's modprobe loads the layer's module and the base module it needs from the
 * merged mount, and the layer's dummy.ko over the in-tree one; kmodpack modprobe with the layer loads the same two
 * straight from the bundles. The guest reports on the serial console; every check is read back here.
 */
class QemuGuestTest {
    /** The reactor root: the cli module's parent, where the tests run from. */
    private static final String CHECKOUT = Path.of("").toAbsolutePath().getParent().toString();

    private static final String QEMU = "/usr/bin/qemu-system-x86_64";
    private static final String BUSYBOX = "/bin/busybox";
    /** Where the guest's kmodpack keeps what it builds for the base and the layer (no /var in the guest). */
    private static final String GUEST_CACHE = "/tmp/kmodpack-cache";
    /** Extra loads of btrfs under the JVM's defaults before the checks (-Dkmodpack.qemu.repeat=N). */
    private static final int REPEAT = Integer.getInteger("kmodpack.qemu.repeat", 0);
    /** The steps take 3-6 minutes of a loaded host; each repeat's JVM up to a minute and a half. */
    private static final long TIMEOUT_SECONDS = 720 + 90L * REPEAT;
    /** What kp_firmware.ko asks for, under /lib/firmware. */
    private static final String FIRMWARE = "kmodpack/kp_firmware.bin";
    /** Options for those JVMs, e.g. -Xcheck:jni, or -XX:UseAVX=0 to tell the JIT's code from the emulator's. */
    private static final String REPEAT_JVM_OPTIONS = System.getProperty("kmodpack.qemu.jvm", "");
    /** The emulated CPU (qemu's -cpu) and its count (-smp): a JVM crash that needs two vCPUs is the emulator's. */
    private static final String CPU = System.getProperty("kmodpack.qemu.cpu", "max");
    private static final String SMP = System.getProperty("kmodpack.qemu.smp", "2");
    /** qemu's -accel: tcg,thread=single runs both vCPUs on one host thread (no multi-threaded translation). */
    private static final String ACCEL = System.getProperty("kmodpack.qemu.accel", "tcg");

    /** The guest's steps, in the order it runs them; the script names each in lower case. */
    enum GuestStep {
        START, LOAD_BTRFS, MOUNT_A_BUNDLE_WITHOUT_FUSE, MOUNT, KMOD_LOADS_E1000E_FROM_THE_MOUNT, LOAD_EXT4_FROM_A_DAMAGED_BUNDLE,
        REMOVE_BTRFS, RELOAD_BTRFS, KMOD_REMOVES_BTRFS, INSMOD_A_LOADED_MODULE, KMOD_INSMODS_A_LOADED_MODULE,
        INSMOD_ANOTHER_KERNELS_MODULE, KMOD_INSMODS_ANOTHER_KERNELS_MODULE, MOUNT_WITH_FIRMWARE,
        KMOD_LOADS_A_MODULE_WITH_ITS_FIRMWARE, MOUNT_WITH_DAMAGED_FIRMWARE, KMOD_LOADS_A_MODULE_WITH_DAMAGED_FIRMWARE,
        KMOD_LOADS_A_MODULE_BESIDE_DAMAGED_FIRMWARE, MOUNT_WITH_A_LAYER, KMOD_LOADS_A_LAYER_MODULE_FROM_THE_MOUNT,
        KMOD_REMOVES_THE_LAYER_MODULE, KMOD_LOADS_THE_LAYERS_DUMMY, LOAD_A_LAYER_MODULE_FROM_THE_BUNDLES;

        @Override
        public String toString() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }

        static boolean isStep(String word) {
            return Arrays.stream(values()).anyMatch(step -> step.toString().equals(word));
        }
    }

    /** The layer bundle and the keys the base and the layer verify under: the vendor's, and the layer's own. */
    private record SignedLayer(Path layer, Path vendorKey, Path layerKey) {
    }

    /** What one step of the guest reported: exit status, stdout, stderr, and the modules loaded after it. */
    private record Step(GuestStep name, int rc, String out, String err, Set<String> modules, String uptime) {
    }

    /** The guest's console lines "KMP:WHAT STEP value" as steps. */
    private record GuestReport(Map<String, String> lines) {
        Step step(GuestStep name) {
            String rc = lines.get("RC " + name);
            assertTrue(rc != null, "the guest did not report step " + name + ": " + lines);
            return new Step(name, Integer.parseInt(rc), lines.getOrDefault("OUT " + name, ""),
                    lines.getOrDefault("ERR " + name, ""), words(lines.get("MODS " + name)),
                    lines.get("UPTIME " + name));
        }

        void assertSucceeded(GuestStep name) {
            Step step = step(name);
            assertEquals(0, step.rc(), name + ": " + step + "\nmount log: " + lines.get("MOUNTLOG"));
        }

        Set<String> modulesAfter(GuestStep name) {
            return step(name).modules();
        }

        /** The modules that were loaded after this step and not before it. */
        Set<String> loadedBy(GuestStep name) {
            Set<String> loaded = new TreeSet<>(modulesAfter(name));
            loaded.removeAll(modulesAfter(GuestStep.values()[name.ordinal() - 1]));
            return loaded;
        }

        String uptime(GuestStep name) {
            return step(name).uptime();
        }
    }

    @Test
    void loadsMountsRefusesAndRemovesInsideABootedDebianKernel() throws Exception {
        if (!Files.isExecutable(Path.of(QEMU)) || !Files.isExecutable(Path.of(BUSYBOX))) {
            TestData.unavailable(QEMU + " or " + BUSYBOX + " missing: apt-get install qemu-system-x86 busybox-static");
        }
        if (hasInterpreter(Files.readAllBytes(Path.of(BUSYBOX)))) {
            TestData.unavailable(BUSYBOX + " is linked dynamically and cannot run in the guest's initramfs: "
                    + "apt-get install busybox-static");
        }
        Path moduleDir = DebianKernels.moduleDir("amd64");
        String kver = moduleDir.getFileName().toString();
        Path vmlinuz = moduleDir.getParent().getParent().getParent().resolve("boot/vmlinuz-" + kver);
        // Under target/, not /tmp: the guest sees this host's files through the 9p share but has its own /tmp.
        Path work = Path.of("target/qemu-guest").toAbsolutePath();
        deleteTree(work);
        Files.createDirectories(work);

        // The base signed by a vendor key: the steps with the layer verify it under --trust, the others accept it
        // with --allow-unsigned.
        assertEquals(0, CliTest.run("keygen", "-o", work.resolve("vendor").toString()).exit());
        Path bundle = work.resolve("modules.kpack");
        CliTest.Run pack = CliTest.run("pack", moduleDir.toString(), "-o", bundle.toString(), "--sign",
                work.resolve("vendor.key").toString());
        assertEquals(0, pack.exit(), pack.err());
        Set<String> btrfsClosure = insmodNames(bundle, "btrfs");
        Path damaged = damagedBundle(work, bundle, "ext4");

        long start = System.nanoTime();
        CliTest.Run btrfs = CliTest.run("initramfs", bundle.toString(), "--allow-unsigned", "-o",
                work.resolve("btrfs.cpio.zst").toString(), "btrfs");
        assertEquals(0, btrfs.exit(), btrfs.err());
        System.out.printf("initramfs for btrfs (zstd): %d bytes, built in %.2f s (in a warm JVM)%n",
                Files.size(work.resolve("btrfs.cpio.zst")), (System.nanoTime() - start) / 1e9);

        Path modules = work.resolve("modules.cpio");
        CliTest.Run initramfs = CliTest.run("initramfs", bundle.toString(), "--allow-unsigned", "--compress", "none",
                "-o", modules.toString(), "virtio_pci", "9pnet_virtio", "9p");
        assertEquals(0, initramfs.exit(), initramfs.err());
        Path initrd = work.resolve("initrd.cpio");
        Files.copy(modules, initrd);
        try (OutputStream out = Files.newOutputStream(initrd, StandardOpenOption.APPEND)) {
            writeInitCpio(out, kver);
        }
        // A module of Debian's cloud kernel: its version magic is not the generic kernel's.
        Path cloudDir = DebianKernels.moduleDir("cloud");
        Path foreign = work.resolve("cloud.kpack");
        CliTest.Run packCloud = CliTest.run("pack", cloudDir.toString(), "-o", foreign.toString());
        assertEquals(0, packCloud.exit(), packCloud.err());
        Path foreignFile = cloudDir.resolve("kernel/drivers/net/dummy.ko");
        // A bundle without a fuse module (test-kernels' synthetic tree), for a kernel that has no FUSE yet.
        Path noFuse = work.resolve("no-fuse.kpack");
        CliTest.Run packNoFuse = CliTest.run("pack", SyntheticKernels.moduleDir(SyntheticKernel.BASIC).toString(),
                "-o", noFuse.toString());
        assertEquals(0, packNoFuse.exit(), packNoFuse.err());
        // kp_firmware.ko's tree with its firmware, in blocks of 4 KiB so that some hold firmware only.
        Path firmwareDirectory = Files.createDirectories(work.resolve("firmware/kmodpack")).getParent();
        byte[] firmware = new byte[64 << 10];
        new java.util.Random(17).nextBytes(firmware);
        Files.write(firmwareDirectory.resolve(FIRMWARE), firmware);
        java.util.zip.CRC32 crc = new java.util.zip.CRC32();
        crc.update(firmware);
        Path withFirmware = work.resolve("with-firmware.kpack");
        CliTest.Run packFirmware = CliTest.run("pack", DebianLayerModules.firmwareTree(kver).toString(), "-o",
                withFirmware.toString(), "--block-size", "4096", "--firmware", firmwareDirectory.toString());
        assertEquals(0, packFirmware.exit(), packFirmware.err());
        Path damagedFirmware = damagedFirmwareBundle(withFirmware, work.resolve("damaged-firmware.kpack"));
        // The out-of-tree modules as a layer, signed by a second key that may sign layers only.
        assertEquals(0, CliTest.run("keygen", "-o", work.resolve("dkms").toString()).exit());
        SignedLayer layer = new SignedLayer(work.resolve("layer.kpack"), work.resolve("vendor.pub"),
                work.resolve("dkms.pub"));
        CliTest.Run packLayer = CliTest.run("pack", DebianLayerModules.layerDir(kver).toString(), "--layer",
                "--kernel-version", kver, "-o", layer.layer().toString(), "--sign",
                work.resolve("dkms.key").toString());
        assertEquals(0, packLayer.exit(), packLayer.err());
        Files.writeString(work.resolve("guest.sh"), guestScript(bundle, damaged, foreign, foreignFile, noFuse,
                withFirmware, damagedFirmware, layer, kver));

        GuestReport guest = new GuestReport(boot(vmlinuz, initrd));

        reportJvmCrashes(guest);
        assertAll(() -> loadsWhatModprobeNames(guest, btrfsClosure),
                () -> aBundleWithoutFuseMountsNothing(guest),
                () -> kmodLoadsFromTheMountedBundle(guest),
                () -> aDamagedModuleLoadsNothing(guest),
                () -> removesWhatKmodRemoves(guest),
                () -> insmodErrorsAreKmods(guest),
                () -> aModuleGetsItsFirmwareFromTheMount(guest, crc.getValue(), kver),
                () -> aDamagedFirmwareBlockFailsOnlyItsModule(guest),
                () -> kmodLoadsALayerModuleAndItsBaseDependencyFromTheMergedMount(guest, kver),
                () -> loadsALayerModuleAndItsBaseDependencyFromTheBundles(guest));
        System.out.printf("guest: uptime %s s when btrfs was loaded (step 1 took %s s), %s s when kmod's modprobe "
                + "had loaded e1000e from the mount (step 2 took %s s)%n", guest.uptime(LOAD_BTRFS),
                seconds(guest.uptime(START), guest.uptime(LOAD_BTRFS)), guest.uptime(KMOD_LOADS_E1000E_FROM_THE_MOUNT),
                seconds(guest.uptime(LOAD_BTRFS), guest.uptime(KMOD_LOADS_E1000E_FROM_THE_MOUNT)));
        System.out.printf("guest: the mount of base and layer answered in %s s, kmodpack modprobe with the layer took "
                + "%s s%n", seconds(guest.lines().get("LAYERMOUNTSTART"), guest.uptime(MOUNT_WITH_A_LAYER)),
                seconds(guest.uptime(KMOD_LOADS_THE_LAYERS_DUMMY),
                guest.uptime(LOAD_A_LAYER_MODULE_FROM_THE_BUNDLES)));
    }

    /** kmodpack modprobe btrfs loads exactly the modules modprobe -D btrfs names. */
    private static void loadsWhatModprobeNames(GuestReport guest, Set<String> btrfsClosure) {
        guest.assertSucceeded(LOAD_BTRFS);
        assertEquals(btrfsClosure, guest.loadedBy(LOAD_BTRFS), "modules btrfs loaded against modprobe -D btrfs");
    }

    /**
     * The guest kernel has no FUSE: mounting a bundle that holds no fuse module fails in one line naming the
     * bundle, and leaves nothing mounted.
     */
    private static void aBundleWithoutFuseMountsNothing(GuestReport guest) {
        assertEquals("0", guest.lines().get("FUSEBEFORE"), "the guest kernel has no FUSE before the mount");
        Step noFuse = guest.step(MOUNT_A_BUNDLE_WITHOUT_FUSE);
        assertEquals(1, noFuse.rc(), noFuse.toString());
        assertTrue(noFuse.err().matches("kmodpack: .*no-fuse\\.kpack has no fuse module.*"),
                "naming the bundle: " + noFuse.err());
        assertEquals("1", guest.lines().get("ERRLINESNOFUSE"), "one line: " + noFuse.err());
        assertEquals("0", guest.lines().get("MOUNTSNOFUSE"), "nothing mounted");
    }

    /**
     * Step 1 runs a JVM with its defaults (G1, tiered compilation), as a user's modprobe does. Under qemu's
     * software emulation such a JVM sometimes dies of SIGSEGV at the entry of a C1-compiled JDK method (README,
     * Reliability): that crash is printed with its hs_err head and step 1 runs once more with the other steps'
     * flags (C1 only, serial GC); any other JVM crash fails the test. With -Dkmodpack.qemu.repeat=N the guest
     * loads btrfs N more times under the defaults first, and every failure among them fails the test.
     */
    private static void reportJvmCrashes(GuestReport guest) {
        Map<String, String> lines = guest.lines();
        if (REPEAT > 0) {
            List<String> repeats = List.of(lines.getOrDefault("REPEAT", "").split("\n"));
            long failed = repeats.stream().filter(line -> !line.split(" ")[1].equals("0")).count();
            System.out.printf("guest: %d loads of btrfs under the JVM's defaults%s with -cpu %s -smp %s -accel %s: %d "
                    + "failed; hs_err heads:%n%s%n", repeats.size(), REPEAT_JVM_OPTIONS.isEmpty() ? "" : " "
                    + REPEAT_JVM_OPTIONS, CPU, SMP, ACCEL, failed, lines.getOrDefault("HSERR", "(none)"));
            assertEquals(REPEAT, repeats.size(), "every repeat reported");
            assertEquals(0, failed, "loads that failed: " + lines.get("REPEATOUT") + "\n" + lines.get("HSERR"));
        }
        if (lines.containsKey("CRASH1")) {
            System.out.println("guest: the JVM under its defaults crashed in step 1, which ran again with the "
                    + "other steps' flags; hs_err:\n" + lines.get("HSERR"));
        } else {
            assertEquals(null, lines.get("HSERR"), "a guest JVM crashed");
        }
    }

    /** With the bundle mounted at /lib/modules/KVER (fuse loaded from it by the mount), kmod loads from it. */
    private static void kmodLoadsFromTheMountedBundle(GuestReport guest) {
        guest.assertSucceeded(MOUNT);
        guest.assertSucceeded(KMOD_LOADS_E1000E_FROM_THE_MOUNT);
        assertTrue(guest.modulesAfter(KMOD_LOADS_E1000E_FROM_THE_MOUNT).containsAll(List.of("fuse", "e1000e")),
                guest.step(KMOD_LOADS_E1000E_FROM_THE_MOUNT).toString());
    }

    /** A bundle with one flipped byte in ext4.ko loads nothing, and the error names ext4. */
    private static void aDamagedModuleLoadsNothing(GuestReport guest) {
        Step damaged = guest.step(LOAD_EXT4_FROM_A_DAMAGED_BUNDLE);
        assertEquals(1, damaged.rc(), damaged.toString());
        assertTrue(damaged.err().contains("ext4"), damaged.err());
        assertEquals(Set.of(), guest.loadedBy(LOAD_EXT4_FROM_A_DAMAGED_BUNDLE), "loaded from the damaged bundle");
        assertTrue(!damaged.modules().contains("ext4"), damaged.toString());
    }

    /**
     * kmodpack modprobe -r -v btrfs removes btrfs and what only it used; kmod's modprobe -r -v, on the same
     * modules loaded again, prints the same lines and leaves the same modules (the crc32c modules libcrc32c's
     * softdep brought stay with kmod too: removal follows modules.dep only).
     */
    private static void removesWhatKmodRemoves(GuestReport guest) {
        Step ours = guest.step(REMOVE_BTRFS);
        guest.assertSucceeded(REMOVE_BTRFS);
        assertTrue(ours.modules().stream().noneMatch(Set.of("btrfs", "xor", "raid6_pq", "libcrc32c")::contains),
                ours.toString());
        guest.assertSucceeded(RELOAD_BTRFS);
        Step kmod = guest.step(KMOD_REMOVES_BTRFS);
        guest.assertSucceeded(KMOD_REMOVES_BTRFS);
        assertEquals(kmod.out(), ours.out(), "modprobe -r -v btrfs lines");
        assertEquals(kmod.modules(), ours.modules(), "modules left by modprobe -r btrfs");
    }

    /** insmod's errors as kmod words them: a module already loaded, and one built for another kernel. */
    private static void insmodErrorsAreKmods(GuestReport guest) {
        insmodFailsAsKmods(guest.step(INSMOD_A_LOADED_MODULE),
                guest.step(KMOD_INSMODS_A_LOADED_MODULE), ": File exists");
        insmodFailsAsKmods(guest.step(INSMOD_ANOTHER_KERNELS_MODULE),
                guest.step(KMOD_INSMODS_ANOTHER_KERNELS_MODULE), ": Invalid module format");
    }

    /**
     * With the firmware bundle mounted, its firmware served at /lib/firmware/updates/KVER (a fuse.kmodpack-firmware
     * mount), kmod's insmod loads kp_firmware.ko, whose request_firmware got the firmware's bytes: the CRC-32 it
     * shows is the file's. Unmounting the module directory takes the firmware mount with it.
     */
    private static void aModuleGetsItsFirmwareFromTheMount(GuestReport guest, long crc, String kver) {
        guest.assertSucceeded(MOUNT_WITH_FIRMWARE);
        assertTrue(guest.lines().getOrDefault("FWMOUNT", "").contains(" /lib/firmware/updates/" + kver
                + " fuse.kmodpack-firmware ro,"), "the firmware mount: " + guest.lines().get("FWMOUNT"));
        guest.assertSucceeded(KMOD_LOADS_A_MODULE_WITH_ITS_FIRMWARE);
        assertTrue(guest.modulesAfter(KMOD_LOADS_A_MODULE_WITH_ITS_FIRMWARE).contains("kp_firmware"),
                guest.step(KMOD_LOADS_A_MODULE_WITH_ITS_FIRMWARE).toString());
        assertEquals(Long.toString(crc), guest.lines().get("FWCHECKSUM"), "CRC-32 of the bytes the module got");
        assertEquals("0", guest.lines().get("FWMOUNTSAFTER"), "firmware mounts after the module directory's umount");
    }

    /**
     * From the copy whose firmware block is damaged, the mount serves the modules (the damage noted), the kernel's
     * read of the firmware fails (EIO, the daemon logs the refused read), the module that needs it fails to load
     * with request_firmware's failure logged (kmod's insmod words the ENOENT its init returns as "Unknown symbol
     * in module"), and the other module loads.
     */
    private static void aDamagedFirmwareBlockFailsOnlyItsModule(GuestReport guest) {
        guest.assertSucceeded(MOUNT_WITH_DAMAGED_FIRMWARE);
        assertTrue(guest.lines().getOrDefault("FWDAMAGEDLOG", "").contains("hold firmware only"),
                "the daemon notes the damage: " + guest.lines().get("FWDAMAGEDLOG"));
        Step damaged = guest.step(KMOD_LOADS_A_MODULE_WITH_DAMAGED_FIRMWARE);
        assertEquals(1, damaged.rc(), damaged.toString());
        assertTrue(!damaged.modules().contains("kp_firmware"), damaged.toString());
        assertTrue(guest.lines().getOrDefault("FWREADLOG", "").contains("read of /" + FIRMWARE + " refused"),
                "the kernel's read of the firmware failed its block's hash: " + guest.lines().get("FWREADLOG"));
        assertTrue(guest.lines().getOrDefault("FWDMESG", "").contains("kp_firmware: " + FIRMWARE + " missing"),
                "the kernel log: " + guest.lines().get("FWDMESG"));
        guest.assertSucceeded(KMOD_LOADS_A_MODULE_BESIDE_DAMAGED_FIRMWARE);
        assertEquals(Set.of("dummy"), guest.loadedBy(KMOD_LOADS_A_MODULE_BESIDE_DAMAGED_FIRMWARE));
    }

    /**
     * With the base and the layer mounted at /lib/modules/KVER (each verified under its own key), kmod's modprobe
     * loads the layer's kp_crc_user and the base's libcrc32c it needs, and nothing else (crc32c's modules, which
     * libcrc32c's softdep asks for, stayed from btrfs); modprobe -r removes both. modprobe dummy loads the layer's
     * updates/dummy.ko, not the in-tree one: kmod finds it there, and the kernel taints for it as out of tree.
     */
    private static void kmodLoadsALayerModuleAndItsBaseDependencyFromTheMergedMount(GuestReport guest, String kver) {
        String mountLog = "mount log: " + guest.lines().get("LAYERMOUNTLOG");
        assertEquals(0, guest.step(MOUNT_WITH_A_LAYER).rc(), guest.step(MOUNT_WITH_A_LAYER) + "\n" + mountLog);
        guest.assertSucceeded(KMOD_LOADS_A_LAYER_MODULE_FROM_THE_MOUNT);
        assertEquals(Set.of("kp_crc_user", "libcrc32c"), guest.loadedBy(KMOD_LOADS_A_LAYER_MODULE_FROM_THE_MOUNT),
                guest.step(KMOD_LOADS_A_LAYER_MODULE_FROM_THE_MOUNT).toString());
        guest.assertSucceeded(KMOD_REMOVES_THE_LAYER_MODULE);
        assertTrue(guest.modulesAfter(KMOD_REMOVES_THE_LAYER_MODULE).stream()
                .noneMatch(Set.of("kp_crc_user", "libcrc32c")::contains), guest.step(KMOD_REMOVES_THE_LAYER_MODULE)
                .toString());
        guest.assertSucceeded(KMOD_LOADS_THE_LAYERS_DUMMY);
        assertTrue(guest.modulesAfter(KMOD_LOADS_THE_LAYERS_DUMMY).contains("dummy"),
                guest.step(KMOD_LOADS_THE_LAYERS_DUMMY).toString());
        assertEquals("/lib/modules/" + kver + "/updates/dummy.ko", guest.lines().get("DUMMYFILE"), "modinfo -n dummy");
        assertTrue(guest.lines().getOrDefault("DUMMYTAINT", "").contains("O"),
                "the loaded dummy is out of tree: taint " + guest.lines().get("DUMMYTAINT"));
    }

    /** Without the mount, kmodpack modprobe with the layer loads kp_crc_user and libcrc32c from the bundles. */
    private static void loadsALayerModuleAndItsBaseDependencyFromTheBundles(GuestReport guest) {
        assertEquals("0", guest.lines().get("UNIONSBUILT"), "the mount serves the layer over the base as they are");
        guest.assertSucceeded(LOAD_A_LAYER_MODULE_FROM_THE_BUNDLES);
        assertEquals(Set.of("kp_crc_user", "libcrc32c"), guest.loadedBy(LOAD_A_LAYER_MODULE_FROM_THE_BUNDLES),
                guest.step(LOAD_A_LAYER_MODULE_FROM_THE_BUNDLES).toString());
    }

    /** A copy of {@code bundle} with one byte flipped in a block that holds {@value #FIRMWARE}'s bytes only. */
    private static Path damagedFirmwareBundle(Path bundle, Path copy) throws IOException {
        Files.copy(bundle, copy, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        try (org.kmodpack.reader.Bundle opened = org.kmodpack.reader.Bundle.open(copy)) {
            org.kmodpack.reader.Entry file = opened.findFirmware(FIRMWARE).orElseThrow();
            int block = opened.blockOf(file, file.size() / 2);
            assertTrue(opened.holdsFirmwareOnly(block), "block " + block + " holds firmware only");
            org.kmodpack.format.BlockRecord record = opened.index().block(block);
            Bytes.flip(copy, record.offset() + record.storedLength() / 2, 0x01);
        }
        return copy;
    }

    private static void insmodFailsAsKmods(Step ours, Step kmod, String reason) {
        assertEquals(1, ours.rc(), ours.toString());
        assertEquals(kmod.rc(), ours.rc(), kmod.toString());
        assertEquals(afterModule(kmod.err()), afterModule(ours.err()));
        assertTrue(ours.err().endsWith(reason), ours.err());
    }

    /** Whether a 64-bit little-endian ELF file names a dynamic loader (a PT_INTERP program header). */
    private static boolean hasInterpreter(byte[] elf) {
        java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(elf).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        long phoff = b.getLong(0x20);
        int phentsize = Short.toUnsignedInt(b.getShort(0x36));
        int phnum = Short.toUnsignedInt(b.getShort(0x38));
        for (int i = 0; i < phnum; i++) {
            if (b.getInt((int) phoff + i * phentsize) == 3) {
                return true;
            }
        }
        return false;
    }

    /** "insmod: ERROR: could not insert module X: WHY" without X (kmod names the file, kmodpack the argument). */
    private static String afterModule(String message) {
        assertTrue(message != null && message.startsWith("insmod: ERROR: could not insert module "), message);
        return message.substring(message.indexOf(": ", "insmod: ERROR: could not insert module ".length()));
    }

    /** The module names {@code modprobe -D NAME} inserts, as /proc/modules names them. */
    private static Set<String> insmodNames(Path bundle, String name) {
        CliTest.Run run = CliTest.run("modprobe", bundle.toString(), "-D", name);
        assertEquals(0, run.exit(), run.err());
        Set<String> names = new TreeSet<>();
        for (String line : run.out().split("\n")) {
            if (line.startsWith("insmod ")) {
                String file = line.split(" ")[1];
                file = file.substring(file.lastIndexOf('/') + 1);
                names.add(file.substring(0, file.indexOf('.')).replace('-', '_'));
            }
        }
        return names;
    }

    /**
     * A bundle of the modules NAME needs, stored uncompressed so that one byte in the middle of NAME's module
     * can be found and flipped: its block then fails its hash.
     */
    private static Path damagedBundle(Path work, Path bundle, String name) throws IOException {
        Path tree = work.resolve("damaged-tree");
        Path archive = work.resolve(name + ".cpio");
        assertEquals(0, CliTest.run("initramfs", bundle.toString(), "--allow-unsigned", "--compress", "none", "-o",
                archive.toString(), name).exit());
        try (var cpio = new org.apache.commons.compress.archivers.cpio.CpioArchiveInputStream(
                Files.newInputStream(archive))) {
            for (CpioArchiveEntry e = cpio.getNextEntry(); e != null; e = cpio.getNextEntry()) {
                Path target = tree.resolve(e.getName());
                if (e.isDirectory()) {
                    Files.createDirectories(target);
                } else {
                    Files.createDirectories(target.getParent());
                    Files.copy(cpio, target);
                }
            }
        }
        Path moduleDir;
        try (var dirs = Files.list(tree.resolve("lib/modules"))) {
            moduleDir = dirs.findFirst().orElseThrow();
        }
        Path damaged = work.resolve("damaged.kpack");
        CliTest.Run pack = CliTest.run("pack", moduleDir.toString(), "-o", damaged.toString(), "--codec", "none");
        assertEquals(0, pack.exit(), pack.err());
        byte[] module;
        try (var files = Files.walk(moduleDir)) {
            module = Files.readAllBytes(files.filter(p -> p.getFileName().toString().equals(name + ".ko"))
                    .findFirst().orElseThrow());
        }
        byte[] needle = Arrays.copyOfRange(module, module.length / 2, module.length / 2 + 64);
        byte[] bytes = Files.readAllBytes(damaged);
        int at = Bytes.indexOf(bytes, needle, 0);
        assertTrue(at > 0 && Bytes.indexOf(bytes, needle, at + 1) < 0, "the module's bytes, once, in the bundle");
        bytes[at + 32] ^= 0x01;
        Files.write(damaged, bytes);
        return damaged;
    }

    /** busybox, /dev/console and /init: the initramfs's second archive (the kernel unpacks both in turn). */
    private static void writeInitCpio(OutputStream out, String kver) throws IOException {
        String init = String.join("\n", "#!/bin/busybox sh",
                "/bin/busybox --install -s /bin",
                "export PATH=/bin",
                "mount -t proc proc /proc; mount -t sysfs sysfs /sys; mount -t devtmpfs dev /dev",
                "echo \"KMP:INIT $(cut -d' ' -f1 /proc/uptime)\"",
                // busybox's modprobe reads the initramfs's modules.dep that kmodpack wrote.
                "modprobe virtio_pci && modprobe 9pnet_virtio && modprobe 9p || echo KMP:FAIL initramfs modprobe",
                "mount -t 9p -o trans=virtio,version=9p2000.L,ro,msize=262144,cache=loose hostroot /host "
                        + "|| echo KMP:FAIL 9p mount",
                // A writable root made of the host's read-only directories, so /lib/modules/KVER can exist.
                "mount -t tmpfs -o size=256m newroot /newroot && cd /newroot",
                "mkdir usr etc work root proc sys dev tmp run lib mnt",
                "for d in usr etc work root; do mount -o bind /host/$d /newroot/$d; done",
                "ln -s usr/bin bin; ln -s usr/sbin sbin; ln -s usr/lib64 lib64",
                // Not the host's own modules directory (read-only here): the guest's comes next.
                "for e in /host/usr/lib/*; do case ${e##*/} in modules|firmware) ;; *) ln -s /usr/lib/${e##*/} "
                        + "lib/${e##*/} ;; esac; done",
                "mkdir -p lib/modules/" + kver + " lib/firmware",
                // The kernel's firmware loader looks from PID 1's root, this initramfs, which the steps' chroot
                // does not change: its /lib/firmware is the chroot's, as after a switch_root.
                "ln -s /newroot/lib/firmware /lib/firmware",
                "mount -t proc proc proc; mount -t sysfs sysfs sys; mount -t devtmpfs dev dev",
                "mount -t tmpfs tmp tmp; mount -t tmpfs run run",
                // The checkout may live anywhere on the host, even under /tmp, which the guest replaced above.
                "mkdir -p '." + CHECKOUT + "' && mount -o bind '/host" + CHECKOUT + "' '." + CHECKOUT + "'",
                "chroot /newroot /bin/sh " + Path.of("target/qemu-guest/guest.sh").toAbsolutePath(),
                "echo KMP:END",
                "reboot -f", "");
        // The caller owns the file stream and closes it again; closing a file stream twice is harmless.
        try (CpioArchiveOutputStream cpio = new CpioArchiveOutputStream(out, CpioConstants.FORMAT_NEW)) {
            long inode = 100_000;
            for (String dir : List.of("bin", "dev", "proc", "sys", "host", "newroot", "tmp")) {
                put(cpio, dir, CpioConstants.C_ISDIR | 0755, new byte[0], inode++, 0);
            }
            put(cpio, "dev/console", CpioConstants.C_ISCHR | 0600, new byte[0], inode++, 5 << 8 | 1);
            put(cpio, "bin/busybox", CpioConstants.C_ISREG | 0755, Files.readAllBytes(Path.of(BUSYBOX)), inode++, 0);
            put(cpio, "init", CpioConstants.C_ISREG | 0755, init.getBytes(StandardCharsets.UTF_8), inode, 0);
        }
    }

    private static void put(CpioArchiveOutputStream cpio, String name, int mode, byte[] content, long inode,
            int rdev) throws IOException {
        CpioArchiveEntry entry = new CpioArchiveEntry(CpioConstants.FORMAT_NEW, name);
        entry.setMode(mode);
        entry.setInode(inode);
        entry.setNumberOfLinks(1);
        entry.setSize(content.length);
        if (rdev != 0) {
            entry.setRemoteDeviceMaj(rdev >> 8);
            entry.setRemoteDeviceMin(rdev & 0xff);
        }
        cpio.putArchiveEntry(entry);
        cpio.write(content);
        cpio.closeArchiveEntry();
    }

    /**
     * The steps, run in the guest's chroot with the host's userland. Each step reports its exit status, its
     * stdout and stderr (newlines as spaces), the loaded modules and the uptime after it, as "KMP:WHAT STEP value"
     * console lines that {@link GuestReport} reads back.
     */
    private static String guestScript(Path bundle, Path damaged, Path foreign, Path foreignFile, Path noFuse,
            Path withFirmware, Path damagedFirmware, SignedLayer layer, String kver) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String common = "-Djava.io.tmpdir=/tmp -XX:ErrorFile=/tmp/hs_err_%p.log -cp " + Launcher.classPath()
                + " org.kmodpack.cli.Main";
        // Step 1 runs the JVM with its defaults, as a user's modprobe does; the rest with the flags that start a
        // JVM fastest under emulation.
        String defaults = java + " " + REPEAT_JVM_OPTIONS + " " + common;
        String kmodpack = java + " -XX:TieredStopAtLevel=1 -XX:+UseSerialGC " + common;
        String modules = "/lib/modules/" + kver;
        return String.join("\n", "export LC_ALL=C.UTF-8",
                "mods() { cut -d' ' -f1 /proc/modules | sort | tr '\\n' ' '; }",
                "report() {",
                "  echo \"KMP:RC $1 $2\"; echo \"KMP:OUT $1 $(tr '\\n' ' ' </tmp/out)\"",
                "  echo \"KMP:ERR $1 $(tr '\\n' ' ' </tmp/err)\"; echo \"KMP:MODS $1 $(mods)\"",
                "  echo \"KMP:UPTIME $1 $(cut -d' ' -f1 /proc/uptime)\"",
                "}",
                "step() { name=$1; shift; \"$@\" >/tmp/out 2>/tmp/err; report $name $?; }",
                // A JVM that crashed leaves its hs_err file in the guest's /tmp: its head goes to the console.
                "hserr() { for f in /tmp/hs_err_*.log; do [ -e \"$f\" ] || continue; { head -n 60 \"$f\"; "
                        + "grep -A 24 '^Instructions:' \"$f\"; } | sed 's/^/KMP:HSERR /'; mv \"$f\" \"$f.seen\"; done; }",
                "K=\"" + kmodpack + "\"",
                "KD=\"" + defaults + "\"",
                "B=" + bundle,
                // kmodpack.qemu.repeat=N loads and removes btrfs N more times first, each with a new JVM under the
                // defaults: the loop that looks for a JVM crash under emulation.
                "MODS0=$(mods)",
                "i=0; while [ $i -lt " + REPEAT + " ]; do i=$((i+1)); $KD modprobe $B --allow-unsigned btrfs "
                        + ">/tmp/rep.out 2>&1; rc=$?; echo \"KMP:REPEAT $i $rc\"; "
                        + "[ $rc -eq 0 ] || sed 's/^/KMP:REPEATOUT /' /tmp/rep.out | head -n 20; hserr; "
                        + "$K modprobe -r $B --allow-unsigned btrfs; done",
                // What the kernel itself asked for while btrfs was loaded (crc32c, through the crypto API) stays
                // after modprobe -r: removed, so that step 1 loads the same modules as it does without repeats.
                "if [ " + REPEAT + " -gt 0 ]; then for m in $(mods); do case \" $MODS0 \" in *\" $m \"*) ;; "
                        + "*) rmmod $m ;; esac; done; fi",
                ": >/tmp/out; : >/tmp/err; report " + START + " 0",
                "$KD modprobe $B --allow-unsigned btrfs >/tmp/out 2>/tmp/err; rc=$?",
                // A JVM that died of a signal (SIGSEGV reported, then SIGABRT: 134) under the emulator is reported
                // with its hs_err and step 1 runs again with the flags of the other steps.
                "if [ $rc -eq 134 ]; then echo \"KMP:CRASH1 $rc\"; hserr; "
                        + "$K modprobe $B --allow-unsigned btrfs >/tmp/out 2>/tmp/err; rc=$?; fi",
                "report " + LOAD_BTRFS + " $rc",
                "hserr",
                // The kernel has no FUSE yet: a bundle without a fuse module cannot be mounted, and says so.
                "echo \"KMP:FUSEBEFORE $(grep -c fuse /proc/filesystems)\"",
                "mkdir -p /tmp/no-fuse",
                "step " + MOUNT_A_BUNDLE_WITHOUT_FUSE + " $K mount " + noFuse + " /tmp/no-fuse --allow-unsigned "
                        + "--foreground",
                "echo \"KMP:ERRLINESNOFUSE $(wc -l </tmp/err)\"",
                "echo \"KMP:MOUNTSNOFUSE $(grep -c ' /tmp/no-fuse ' /proc/mounts)\"",
                // The mount loads fuse from the bundle itself. In the background: the mount answers once
                // modules.dep shows through it.
                "$K mount $B " + modules + " --allow-unsigned --foreground 2>/tmp/mount.log &",
                "i=0; while [ ! -e " + modules + "/modules.dep ] && [ $i -lt 240 ]; do sleep 1; i=$((i+1)); done",
                "step " + MOUNT + " test -e " + modules + "/modules.dep",
                "echo \"KMP:MOUNTLOG $(tr '\\n' ' ' </tmp/mount.log)\"",
                "step " + KMOD_LOADS_E1000E_FROM_THE_MOUNT + " /usr/sbin/modprobe e1000e",
                "step " + LOAD_EXT4_FROM_A_DAMAGED_BUNDLE + " $K modprobe " + damaged + " --allow-unsigned ext4",
                "step " + REMOVE_BTRFS + " $K modprobe -r -v $B --allow-unsigned btrfs",
                // The oracle: btrfs loaded again, then removed by kmod's own modprobe from the mounted bundle.
                "step " + RELOAD_BTRFS + " $K modprobe $B --allow-unsigned btrfs",
                "step " + KMOD_REMOVES_BTRFS + " /usr/sbin/modprobe -r -v btrfs",
                "step " + INSMOD_A_LOADED_MODULE + " $K insmod $B --allow-unsigned fuse",
                "step " + KMOD_INSMODS_A_LOADED_MODULE + " /usr/sbin/insmod " + modules + "/kernel/fs/fuse/fuse.ko",
                "step " + INSMOD_ANOTHER_KERNELS_MODULE + " $K insmod " + foreign + " --allow-unsigned dummy",
                "step " + KMOD_INSMODS_ANOTHER_KERNELS_MODULE + " /usr/sbin/insmod " + foreignFile,
                // The firmware bundle at a directory of its own; its firmware goes where the kernel looks.
                "F=/lib/firmware/updates/" + kver + "/" + FIRMWARE,
                "waitfw() { i=0; while [ ! -e $F ] && [ $i -lt 240 ]; do sleep 1; i=$((i+1)); done; }",
                "mkdir -p /tmp/fw-modules",
                "$K mount " + withFirmware + " /tmp/fw-modules --allow-unsigned --foreground 2>/tmp/fw.log & fwpid=$!",
                "waitfw",
                "step " + MOUNT_WITH_FIRMWARE + " test -e $F",
                "echo \"KMP:FWMOUNT $(grep ' /lib/firmware/updates/" + kver + " ' /proc/mounts)\"",
                "step " + KMOD_LOADS_A_MODULE_WITH_ITS_FIRMWARE + " /usr/sbin/insmod "
                        + "/tmp/fw-modules/extra/kmodpack/kp_firmware.ko",
                "echo \"KMP:FWCHECKSUM $(cat /sys/module/kp_firmware/parameters/checksum)\"",
                "/usr/sbin/rmmod kp_firmware",
                // The module directory unmounted under the daemon: it takes the firmware mount with it.
                "fusermount -u /tmp/fw-modules; wait $fwpid",
                "echo \"KMP:FWMOUNTSAFTER $(grep -c kmodpack-firmware /proc/mounts)\"",
                "$K mount " + damagedFirmware + " /tmp/fw-modules --allow-unsigned --foreground 2>/tmp/fw.log & "
                        + "fwpid=$!",
                "waitfw",
                "step " + MOUNT_WITH_DAMAGED_FIRMWARE + " test -e $F",
                "echo \"KMP:FWDAMAGEDLOG $(tr '\\n' ' ' </tmp/fw.log)\"",
                "step " + KMOD_LOADS_A_MODULE_WITH_DAMAGED_FIRMWARE + " /usr/sbin/insmod "
                        + "/tmp/fw-modules/extra/kmodpack/kp_firmware.ko",
                "echo \"KMP:FWDMESG $(dmesg | grep -e kp_firmware | tail -n 5 | tr '\\n' ' ')\"",
                "echo \"KMP:FWREADLOG $(tr '\\n' ' ' </tmp/fw.log)\"",
                "step " + KMOD_LOADS_A_MODULE_BESIDE_DAMAGED_FIRMWARE + " /usr/sbin/insmod "
                        + "/tmp/fw-modules/updates/dummy.ko",
                "kill $fwpid; wait $fwpid",
                // fusermount, not kmodpack umount: a JVM less to start under the emulator.
                "fusermount -u " + modules,
                // The base with the layer, each verified under its own key, at the base's place; the mount answers
                // once the layer's module shows through it.
                "LT=\"--trust " + layer.vendorKey() + " --layer " + layer.layer() + " --layer-trust " + layer.layerKey()
                        + " --cache-dir " + GUEST_CACHE + "\"",
                "echo \"KMP:LAYERMOUNTSTART $(cut -d' ' -f1 /proc/uptime)\"",
                "$K mount $B " + modules + " $LT --foreground 2>/tmp/layer-mount.log &",
                "i=0; while [ ! -e " + modules + "/extra/kmodpack/kp_crc_user.ko ] && [ $i -lt 240 ]; do sleep 1; "
                        + "i=$((i+1)); done",
                "step " + MOUNT_WITH_A_LAYER + " test -e " + modules + "/extra/kmodpack/kp_crc_user.ko",
                "echo \"KMP:LAYERMOUNTLOG $(tr '\\n' ' ' </tmp/layer-mount.log)\"",
                "echo \"KMP:UNIONSBUILT $(ls " + GUEST_CACHE + "/unions 2>/dev/null | wc -l)\"",
                "step " + KMOD_LOADS_A_LAYER_MODULE_FROM_THE_MOUNT + " /usr/sbin/modprobe kp_crc_user",
                "step " + KMOD_REMOVES_THE_LAYER_MODULE + " /usr/sbin/modprobe -r kp_crc_user",
                // The firmware steps left their own build of dummy loaded.
                "step " + KMOD_LOADS_THE_LAYERS_DUMMY + " sh -c '/usr/sbin/rmmod dummy && /usr/sbin/modprobe dummy'",
                "echo \"KMP:DUMMYFILE $(/usr/sbin/modinfo -n dummy)\"",
                "echo \"KMP:DUMMYTAINT $(cat /sys/module/dummy/taint)\"",
                "fusermount -u " + modules,
                "step " + LOAD_A_LAYER_MODULE_FROM_THE_BUNDLES + " $K modprobe $B $LT kp_crc_user",
                "dmesg | tail -n 15 | sed 's/^/KMP:DMESG /'",
                "");
    }

    /** Boots the guest and collects its KMP: lines; fails with the console's end when it does not finish. */
    private static Map<String, String> boot(Path vmlinuz, Path initrd) throws Exception {
        List<String> command = List.of(QEMU, "-accel", ACCEL, "-cpu", CPU, "-smp", SMP, "-m", "3072",
                "-kernel", vmlinuz.toString(), "-initrd", initrd.toString(),
                "-append", "console=ttyS0 panic=-1 loglevel=4", "-nographic", "-no-reboot",
                "-virtfs", "local,path=/,mount_tag=hostroot,security_model=none,readonly=on");
        Process qemu = new ProcessBuilder(command).redirectErrorStream(true).start();
        qemu.getOutputStream().close();
        Map<String, String> report = new HashMap<>();
        List<String> console = new ArrayList<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(qemu.getInputStream(),
                    StandardCharsets.UTF_8))) {
                for (String line = in.readLine(); line != null; line = in.readLine()) {
                    String clean = line.replace("\r", "");
                    synchronized (console) {
                        console.add(clean);
                    }
                    int at = clean.indexOf("KMP:");
                    if (at >= 0) {
                        // "KMP:WHAT STEP value" (a step's report) or "KMP:WHAT value": the key is WHAT [STEP].
                        String[] parts = clean.substring(at + 4).split(" ", 3);
                        boolean stepLine = parts.length >= 2 && GuestStep.isStep(parts[1]);
                        String key = stepLine ? parts[0] + " " + parts[1] : parts[0];
                        String value = stepLine ? (parts.length > 2 ? parts[2] : "")
                                : clean.substring(at + 4 + parts[0].length()).strip();
                        value = value.strip();
                        synchronized (report) {
                            report.merge(key, value, (a, b) -> a + "\n" + b);
                        }
                    }
                }
            } catch (IOException e) {
                synchronized (console) {
                    console.add("(console read failed: " + e + ")");
                }
            }
        });
        reader.start();
        boolean finished = qemu.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        if (!finished) {
            qemu.destroyForcibly();
        }
        reader.join(10_000);
        String transcript;
        synchronized (console) {
            transcript = String.join("\n", console.subList(Math.max(0, console.size() - 80), console.size()));
        }
        System.out.println("--- guest console (end) ---\n" + transcript);
        if (!finished || !report.containsKey("END")) {
            fail("the guest did not finish within " + TIMEOUT_SECONDS + " s; its console ends with:\n" + transcript);
        }
        if (report.containsKey("FAIL")) {
            fail("the guest's initramfs failed: " + report.get("FAIL") + "\n" + transcript);
        }
        return report;
    }

    private static Set<String> words(String line) {
        return line == null || line.isBlank() ? Set.of() : new LinkedHashSet<>(Arrays.asList(line.split(" +")));
    }

    private static String seconds(String from, String to) {
        return String.format("%.2f", Double.parseDouble(to) - Double.parseDouble(from));
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (var paths = Files.walk(dir)) {
            for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).collect(Collectors.toList())) {
                Files.delete(p);
            }
        }
    }
}
