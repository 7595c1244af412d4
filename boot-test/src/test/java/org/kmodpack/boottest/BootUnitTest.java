package org.kmodpack.boottest;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.kmodpack.format.BlockRecord;
import org.kmodpack.format.IndexRegion;
import org.kmodpack.reader.Bundle;
import org.kmodpack.testkernels.Bytes;
import org.kmodpack.testkernels.DebianKernels;
import org.kmodpack.testkernels.DebianRoots;
import org.kmodpack.testkernels.Directories;
import org.kmodpack.testkernels.TestData;

/**
 * The boot unit on a real system: a systemd-booted Debian 12 (merged /usr) under qemu whose /lib/modules/KVER is
 * empty and whose modules come from /boot/modules-KVER.kpack through kmodpack-modules@KVER, installed with
 * {@code fuse-mount/system/install --root} and enabled with {@code systemctl --root} as an image builder would.
 * Its peer is the same guest with the plain tree in /lib/modules/KVER and the unit disabled: udev's coldplug must
 * load the same modules (virtio_net for the NIC among them); the boot times, medians of three interleaved boots
 * each, and their ratio are printed (the goal is at most 1.5x; timing is a figure to read beside the host's load,
 * not an assertion, since the plain boots alone vary as much under load). A bundle with a damaged block and one
 * signed by an untrusted key make the unit fail without loading anything from them, and the boot completes.
 */
class BootUnitTest {
    private static final int TIMED_BOOTS = 3;
    private static final String TRUSTED_KEY = "release";
    /**
     * What systemd loads with the plain tree before any unit can serve /lib/modules: PID 1 itself at start
     * (autofs4; ip_tables with x_tables; qemu_fw_cfg, which udev's coldplug loads later anyway) and the
     * modprobe@*.service units that sysinit.target's mounts pull in before the kmodpack unit has mounted.
     */
    private static final Set<String> LOADED_BEFORE_ANY_UNIT = Set.of("autofs4", "ip_tables", "x_tables",
            "configfs", "dm_mod", "efi_pstore", "loop");

    @Test
    void udevLoadsTheHardwareModulesFromTheMountedBundle() throws Exception {
        requireFacilities();
        Path moduleDir = DebianKernels.moduleDir("amd64");
        String kver = moduleDir.getFileName().toString();
        Path vmlinuz = moduleDir.getParent().getParent().getParent().resolve("boot/vmlinuz-" + kver);
        Path debianRoot = DebianRoots.systemd();
        Path work = Files.createTempDirectory("kmodpack-boot-test-");
        try {
            run(moduleDir, kver, vmlinuz, debianRoot, work);
        } finally {
            Directories.deleteRecursively(work);
        }
    }

    private void run(Path moduleDir, String kver, Path vmlinuz, Path debianRoot, Path work) throws Exception {
        long start = System.nanoTime();
        Host.kmodpack("keygen", "-o", work.resolve(TRUSTED_KEY).toString());
        Host.kmodpack("keygen", "-o", work.resolve("stranger").toString());
        Path unsigned = work.resolve("unsigned.kpack");
        Host.kmodpack("pack", moduleDir.toString(), "-o", unsigned.toString());
        Path signed = signedCopy(unsigned, work.resolve("signed.kpack"), work.resolve(TRUSTED_KEY + ".key"));
        Path untrusted = signedCopy(unsigned, work.resolve("untrusted.kpack"), work.resolve("stranger.key"));
        Path damaged = work.resolve("damaged.kpack");
        Files.copy(signed, damaged);
        damageBlockOf(damaged, "kernel/fs/fuse/fuse.ko");
        Path trust = work.resolve(TRUSTED_KEY + ".pub");
        Path initrd = work.resolve("initrd.cpio");
        Guest.writeInitramfs(signed, trust, initrd);
        Images images = new Images(new Guest(vmlinuz, initrd), debianRoot, work, kver, trust);

        // A new system's first boot: its daemon writes the JVM's class data archive when it exits at shutdown,
        // and the same system's later boots start with it.
        Guest.Boot firstBoot = images.boot("bundle 0", signed, null, true);
        List<Guest.Boot> plainBoots = new ArrayList<>();
        List<Guest.Boot> bundleBoots = new ArrayList<>();
        for (int i = 1; i <= TIMED_BOOTS; i++) {
            plainBoots.add(images.boot("plain " + i, signed, moduleDir, false));
            bundleBoots.add(images.boot("bundle " + i, signed, null, false));
        }
        Guest.Boot damagedBoot = images.boot("damaged", damaged, null, false);
        Guest.Boot untrustedBoot = images.boot("untrusted", untrusted, null, false);
        double plainMedian = median(plainBoots);
        double bundleMedian = median(bundleBoots);
        System.out.println(BootTable.render(firstBoot, plainBoots, bundleBoots, List.of(damagedBoot, untrustedBoot),
                kver));
        System.out.printf("boot to multi-user.target: bundle %.2f s, plain %.2f s (medians of %d interleaved boots):"
                + " %.2fx; test ran %.0f s%n", bundleMedian, plainMedian, TIMED_BOOTS, bundleMedian / plainMedian,
                (System.nanoTime() - start) / 1e9);

        String unit = "kmodpack-modules@" + kver + ".service";
        String moduleMount = "/usr/lib/modules/" + kver;
        List<Executable> checks = new ArrayList<>();
        for (Guest.Boot boot : plainBoots) {
            BootReport report = boot.report();
            checks.add(() -> assertTrue(report.reachedMultiUser(), boot.label() + ": multi-user.target"));
            checks.add(() -> assertEquals(List.of(), report.failedUnits(), boot.label() + ": failed units"));
            checks.add(() -> assertTrue(report.coldplugModules().contains("virtio_net"), boot.label()
                    + ": virtio_net loaded by the coldplug: " + report.coldplugModules()));
        }
        Set<String> plainColdplug = plainBoots.get(0).report().coldplugModules();
        Set<String> servable = new TreeSet<>(plainBoots.get(0).report().modulesLoadedAfterInitramfs());
        servable.removeAll(LOADED_BEFORE_ANY_UNIT);
        List<Guest.Boot> served = new ArrayList<>(List.of(firstBoot));
        served.addAll(bundleBoots);
        for (Guest.Boot boot : served) {
            BootReport report = boot.report();
            checks.add(() -> assertTrue(report.reachedMultiUser(), boot.label() + ": multi-user.target"));
            checks.add(() -> assertEquals(List.of(), report.failedUnits(), boot.label() + ": failed units\n"
                    + String.join("\n", report.unitStatus())));
            checks.add(() -> assertEquals("fuse.kmodpack", report.mountAt(moduleMount).map(BootReport.Mount::type)
                    .orElse("(not mounted)"), boot.label() + ": " + moduleMount + " in /proc/mounts"));
            checks.add(() -> assertTrue(report.coldplugModules().containsAll(plainColdplug), boot.label()
                    + ": udev's coldplug loaded " + report.coldplugModules() + " from the mount, with the plain tree "
                    + plainColdplug));
            checks.add(() -> assertEquals(servable, report.modulesLoadedAfterInitramfs(), boot.label()
                    + ": modules loaded after the initramfs, against the plain tree's but for "
                    + LOADED_BEFORE_ANY_UNIT));
        }
        for (Guest.Boot boot : List.of(damagedBoot, untrustedBoot)) {
            BootReport report = boot.report();
            checks.add(() -> assertTrue(report.reachedMultiUser(), boot.label() + ": multi-user.target"));
            checks.add(() -> assertEquals(List.of(unit), report.failedUnits(), boot.label() + ": failed units"));
            checks.add(() -> assertTrue(report.mountAt(moduleMount).isEmpty(), boot.label() + ": mounted"));
            checks.add(() -> assertEquals(Set.of(), report.modulesLoadedAfterInitramfs(),
                    boot.label() + ": modules loaded from the refused bundle"));
        }
        checks.add(() -> assertTrue(String.join("\n", damagedBoot.report().unitStatus()).contains("SHA-256"),
                "the damaged bundle's unit says which block fails its hash:\n"
                        + String.join("\n", damagedBoot.report().unitStatus())));
        checks.add(() -> assertTrue(String.join("\n", untrustedBoot.report().unitStatus()).contains("trusted"),
                "the untrusted bundle's unit says it is not trusted:\n"
                        + String.join("\n", untrustedBoot.report().unitStatus())));
        assertAll(checks);
    }

    /**
     * Boots, each on its own copy of the Debian root, set up as an image builder would: the bundle in /boot, its
     * key in /etc/kmodpack/trusted.d, kmodpack installed with {@code install --root}; then either the unit enabled
     * (and /lib/modules/KVER empty) or the plain tree in /lib/modules/KVER and the unit left disabled.
     */
    private static final class Images {
        /** The daemon's state: its class data archive and the record of bundle files it checked whole. */
        private static final String STATE = "var/cache/kmodpack";
        private static final String KEPT_STATE = "daemon-state";
        private static final String JAR = "usr/local/lib/kmodpack/kmodpack.jar";

        private final Guest guest;
        private final Path debianRoot;
        private final Path work;
        private final String kver;
        private final Path trust;
        private FileTime installedJarTime;

        Images(Guest guest, Path debianRoot, Path work, String kver, Path trust) {
            this.guest = guest;
            this.debianRoot = debianRoot;
            this.work = work;
            this.kver = kver;
            this.trust = trust;
        }

        /**
         * Boots {@code bundle} through the unit, or, given {@code plainTree}, the plain tree. A clean shutdown
         * keeps what the daemon wrote to /var/cache/kmodpack (the class data archive it writes then, the record
         * of the bundle it checked whole); the bundle boots after it start with that, as the same system's later
         * boots would.
         */
        Guest.Boot boot(String label, Path bundle, Path plainTree, boolean cleanShutdown)
                throws IOException, InterruptedException {
            try (GuestRoot root = GuestRoot.over(debianRoot, work)) {
                Path dir = root.path();
                root.bindFile(bundle, "boot/modules-" + kver + ".kpack");
                Host.check(List.of(Host.CHECKOUT.resolve("fuse-mount/system/install").toString(), "--root",
                        dir.toString()));
                Files.copy(trust, dir.resolve("etc/kmodpack/trusted.d/" + trust.getFileName()));
                ReportUnit.install(dir, kver, cleanShutdown);
                if (plainTree != null) {
                    root.bindModules(plainTree, kver);
                } else {
                    Files.createDirectories(dir.resolve("usr/lib/modules/" + kver));
                    Host.check(List.of("systemctl", "--root=" + dir, "enable", "kmodpack-modules@" + kver));
                    restoreDaemonState(dir);
                }
                Guest.Boot boot = guest.boot(label, dir);
                if (cleanShutdown) {
                    keepDaemonState(dir);
                }
                BootReport report = boot.report();
                System.out.printf("%s: %s, multi-user.target %s, unit %s, load average %s -> %s%n", label,
                        report.systemState(), report.reachedMultiUser() ? String.format("at %.2f s",
                                report.bootSeconds()) : "not reached", report.unit().activeState(),
                        boot.loadBefore(), boot.loadAfter());
                return boot;
            }
        }

        private void keepDaemonState(Path dir) throws IOException {
            for (String kept : copyFiles(dir.resolve(STATE), work.resolve(KEPT_STATE))) {
                System.out.println("kept for the next boots: /" + STATE + "/" + kept);
            }
            installedJarTime = Files.getLastModifiedTime(dir.resolve(JAR));
        }

        /**
         * What the first boot's daemon left, with the jar dated as it was installed then: HotSpot ignores an
         * archive whose jar has another time or size, and each boot's root is a new install.
         */
        private void restoreDaemonState(Path dir) throws IOException {
            if (installedJarTime != null) {
                Files.setLastModifiedTime(dir.resolve(JAR), installedJarTime);
                copyFiles(work.resolve(KEPT_STATE), dir.resolve(STATE));
            }
        }

        /** Copies the files under {@code from}, with their times, to the same places under {@code to}. */
        private static List<String> copyFiles(Path from, Path to) throws IOException {
            if (!Files.isDirectory(from)) {
                return List.of();
            }
            List<String> copied = new ArrayList<>();
            try (Stream<Path> files = Files.walk(from)) {
                for (Path file : files.filter(Files::isRegularFile).toList()) {
                    String relative = from.relativize(file).toString();
                    Path copy = to.resolve(relative);
                    Files.createDirectories(copy.getParent());
                    Files.copy(file, copy, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.COPY_ATTRIBUTES);
                    copied.add(relative);
                }
            }
            return copied;
        }
    }

    private static Path signedCopy(Path unsigned, Path copy, Path key) throws IOException {
        Files.copy(unsigned, copy, StandardCopyOption.REPLACE_EXISTING);
        Host.kmodpack("sign", copy.toString(), "--key", key.toString());
        return copy;
    }

    /**
     * Flips one byte in the middle of the stored (compressed) block holding the start of {@code path}: the signed
     * index still describes the bundle, the block no longer matches its hash.
     */
    private static void damageBlockOf(Path file, String path) throws IOException {
        BlockRecord block;
        try (Bundle bundle = Bundle.open(file)) {
            IndexRegion index = bundle.index();
            int entry = bundle.get(path).index();
            block = index.block((int) (index.tree().entry(entry).ref() / index.params().blockSize()));
        }
        Bytes.flip(file, block.offset() + block.storedLength() / 2, 0x01);
    }

    private static double median(List<Guest.Boot> boots) {
        double[] seconds = boots.stream().mapToDouble(b -> b.report().bootSeconds()).sorted().toArray();
        return seconds[seconds.length / 2];
    }

    private static void requireFacilities() throws IOException {
        if (!"root".equals(System.getProperty("user.name"))) {
            TestData.unavailable("the boot test mounts the guest's root (overlay, bind): run it as root");
        }
        if (!Files.isExecutable(Path.of(Guest.QEMU))) {
            TestData.unavailable(Guest.QEMU + " missing: apt-get install qemu-system-x86");
        }
        if (!Files.isExecutable(Path.of(Guest.BUSYBOX)) || Bytes.indexOf(Files.readAllBytes(Path.of(Guest.BUSYBOX)),
                "/lib64/ld-linux".getBytes(java.nio.charset.StandardCharsets.US_ASCII), 0) >= 0) {
            TestData.unavailable(Guest.BUSYBOX + " missing or linked dynamically: apt-get install busybox-static");
        }
        if (!Files.readString(Path.of("/proc/filesystems")).contains("\toverlay\n")) {
            TestData.unavailable("the kernel has no overlay file system for the guest's copy-on-write root: "
                    + "modprobe overlay");
        }
    }
}
