package org.kmodpack.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

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
import org.kmodpack.testkernels.SyntheticKernel;
import org.kmodpack.testkernels.SyntheticKernels;
import org.kmodpack.testkernels.TestData;

/**
 * The whole product on a real kernel: Debian's generic kernel boots under qemu (software emulation) from an
 * initramfs made by {@code kmodpack initramfs} (virtio_pci, 9pnet_virtio, 9p and their dependencies, loaded by
 * busybox's modprobe), mounts this host's root read-only over virtio-9p and runs this checkout's kmodpack with the
 * host's JVM inside the guest: it loads btrfs from the bundle, mounts the bundle where kmod looks (the mount loads
 * fuse from the bundle itself, the kernel having none) so that kmod's own modprobe loads e1000e from it, refuses a bundle with a damaged module, and removes btrfs
 * again. The guest reports on the serial console; every check is read back here.
 */
class QemuGuestTest {
    /** The reactor root: the cli module's parent, where the tests run from. */
    private static final String CHECKOUT = Path.of("").toAbsolutePath().getParent().toString();

    private static final String QEMU = "/usr/bin/qemu-system-x86_64";
    private static final String BUSYBOX = "/bin/busybox";
    private static final long TIMEOUT_SECONDS = 480;

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

        Path bundle = work.resolve("modules.kpack");
        CliTest.Run pack = CliTest.run("pack", moduleDir.toString(), "-o", bundle.toString());
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
        CliTest.Run packNoFuse = CliTest.run("pack", SyntheticKernels.moduleDir(SyntheticKernel.BASIC).toString(), "-o",
                noFuse.toString());
        assertEquals(0, packNoFuse.exit(), packNoFuse.err());
        Files.writeString(work.resolve("guest.sh"), guestScript(bundle, damaged, foreign, foreignFile, noFuse, kver));

        Map<String, String> report = boot(vmlinuz, initrd);

        assertEquals("0", report.get("RC1"), "kmodpack modprobe btrfs in the guest: " + report);
        Set<String> loaded1 = difference(report.get("AFTER1"), report.get("BEFORE1"));
        assertEquals(btrfsClosure, loaded1, "modules btrfs loaded against modprobe -D btrfs");
        assertEquals("0", report.get("FUSEBEFORE"), "the guest kernel has no FUSE before the mount: " + report);
        assertEquals("1", report.get("RCNOFUSE"), "a bundle without fuse on a kernel without FUSE: " + report);
        assertTrue(report.get("ERRNOFUSE").matches("kmodpack: [^|]*no-fuse\\.kpack has no fuse module[^|]*\\|"),
                "one line naming the bundle: " + report.get("ERRNOFUSE"));
        assertEquals("0", report.get("MOUNTSNOFUSE"), "nothing mounted: " + report);
        assertEquals("0", report.get("RC2MOUNT"), "kmodpack mount: " + report);
        assertEquals("0", report.get("RC2"), "kmod's modprobe e1000e from the mount: " + report);
        assertTrue(words(report.get("AFTER2")).containsAll(List.of("fuse", "e1000e")), report.get("AFTER2"));
        assertEquals("1", report.get("RC3"), "modprobe from the damaged bundle: " + report);
        assertTrue(report.get("ERR3").contains("ext4"), report.get("ERR3"));
        Set<String> loaded3 = difference(report.get("AFTER3"), report.get("AFTER2"));
        assertEquals(Set.of(), loaded3, "loaded from the damaged bundle");
        assertTrue(!words(report.get("AFTER3")).contains("ext4"), report.get("AFTER3"));
        assertEquals("0", report.get("RC4"), "kmodpack modprobe -r btrfs: " + report);
        assertTrue(words(report.get("AFTER4")).stream().noneMatch(Set.of("btrfs", "xor", "raid6_pq", "libcrc32c")
                ::contains), report.get("AFTER4"));
        // kmod's modprobe -r, on the same modules loaded again, prints the same lines and leaves the same modules
        // (the crc32c modules libcrc32c's softdep brought stay with kmod too: removal follows modules.dep only).
        assertEquals("0", report.get("RC4RELOAD"), report.toString());
        assertEquals("0", report.get("RC4KMOD"), report.toString());
        assertEquals(report.get("OUT4KMOD"), report.get("OUT4"), "modprobe -r -v btrfs lines");
        assertEquals(report.get("AFTER4KMOD"), report.get("AFTER4"), "modules left by modprobe -r btrfs");
        assertEquals("1", report.get("RC5EXISTS"), report.toString());
        assertEquals(report.get("RC5EXISTSKMOD"), report.get("RC5EXISTS"));
        assertEquals(afterModule(report.get("ERR5EXISTSKMOD")), afterModule(report.get("ERR5EXISTS")));
        assertTrue(report.get("ERR5EXISTS").endsWith(": File exists"), report.get("ERR5EXISTS"));
        assertEquals("1", report.get("RC5VERMAGIC"), report.toString());
        assertEquals(report.get("RC5VERMAGICKMOD"), report.get("RC5VERMAGIC"));
        assertEquals(afterModule(report.get("ERR5VERMAGICKMOD")), afterModule(report.get("ERR5VERMAGIC")));
        assertTrue(report.get("ERR5VERMAGIC").endsWith(": Invalid module format"), report.get("ERR5VERMAGIC"));
        System.out.printf("guest: uptime %s s when btrfs was loaded (step 1 took %s s), %s s when kmod's modprobe "
                + "had loaded e1000e from the mount (step 2 took %s s)%n", report.get("T1"),
                seconds(report.get("T0"), report.get("T1")), report.get("T2"),
                seconds(report.get("T1"), report.get("T2")));
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
                "for e in /host/usr/lib/*; do ln -s /usr/lib/${e##*/} lib/${e##*/}; done",
                "mkdir -p lib/modules/" + kver,
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

    /** The checks, run in the guest's chroot with the host's userland; each result is a "KMP:KEY value" line. */
    private static String guestScript(Path bundle, Path damaged, Path foreign, Path foreignFile, Path noFuse,
            String kver)
            throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String kmodpack = java + " -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Djava.io.tmpdir=/tmp -cp "
                + Launcher.classPath() + " org.kmodpack.cli.Main";
        return String.join("\n", "export LC_ALL=C.UTF-8",
                "mods() { cut -d' ' -f1 /proc/modules | sort | tr '\\n' ' '; }",
                "up() { cut -d' ' -f1 /proc/uptime; }",
                "K=\"" + kmodpack + "\"",
                "B=" + bundle,
                "echo \"KMP:BEFORE1 $(mods)\"",
                "echo \"KMP:T0 $(up)\"",
                "$K modprobe $B --allow-unsigned btrfs; echo \"KMP:RC1 $?\"",
                "echo \"KMP:T1 $(up)\"",
                "echo \"KMP:AFTER1 $(mods)\"",
                // The kernel has no FUSE yet: the mount loads fuse from the bundle itself. In the foreground, in the
                // background: the daemon's 30 s start-up limit is tight for a JVM under software emulation; the
                // mount answers once modules.dep shows through it.
                "echo \"KMP:FUSEBEFORE $(grep -c fuse /proc/filesystems)\"",
                "mkdir -p /tmp/no-fuse; $K mount " + noFuse + " /tmp/no-fuse --allow-unsigned --foreground "
                        + "2>/tmp/errnofuse; echo \"KMP:RCNOFUSE $?\"",
                "echo \"KMP:ERRNOFUSE $(tr '\\n' '|' </tmp/errnofuse)\"",
                "echo \"KMP:MOUNTSNOFUSE $(grep -c ' /tmp/no-fuse ' /proc/mounts)\"",
                "$K mount $B /lib/modules/" + kver + " --allow-unsigned --foreground 2>/tmp/mount.log &",
                "i=0; while [ ! -e /lib/modules/" + kver + "/modules.dep ] && [ $i -lt 240 ]; do sleep 1; "
                        + "i=$((i+1)); done",
                "[ -e /lib/modules/" + kver + "/modules.dep ]; echo \"KMP:RC2MOUNT $?\"",
                "echo \"KMP:MOUNTLOG $(tr '\\n' ' ' </tmp/mount.log)\"",
                "/usr/sbin/modprobe e1000e; echo \"KMP:RC2 $?\"",
                "echo \"KMP:T2 $(up)\"",
                "echo \"KMP:AFTER2 $(mods)\"",
                "$K modprobe " + damaged + " --allow-unsigned ext4 2>/tmp/err3; echo \"KMP:RC3 $?\"",
                "echo \"KMP:ERR3 $(tr '\\n' ' ' </tmp/err3)\"",
                "echo \"KMP:AFTER3 $(mods)\"",
                "$K modprobe -r -v $B --allow-unsigned btrfs >/tmp/out4; echo \"KMP:RC4 $?\"",
                "echo \"KMP:OUT4 $(tr '\\n' ' ' </tmp/out4)\"",
                "echo \"KMP:AFTER4 $(mods)\"",
                // The oracle: btrfs loaded again, then removed by kmod's own modprobe from the mounted bundle.
                "$K modprobe $B --allow-unsigned btrfs; echo \"KMP:RC4RELOAD $?\"",
                "/usr/sbin/modprobe -r -v btrfs >/tmp/out4k; echo \"KMP:RC4KMOD $?\"",
                "echo \"KMP:OUT4KMOD $(tr '\\n' ' ' </tmp/out4k)\"",
                "echo \"KMP:AFTER4KMOD $(mods)\"",
                // Errors worded as kmod words them: a module already loaded, and one built for another kernel.
                "$K insmod $B --allow-unsigned fuse 2>/tmp/err5; echo \"KMP:RC5EXISTS $?\"",
                "echo \"KMP:ERR5EXISTS $(cat /tmp/err5)\"",
                "/usr/sbin/insmod /lib/modules/" + kver + "/kernel/fs/fuse/fuse.ko 2>/tmp/err5k; "
                        + "echo \"KMP:RC5EXISTSKMOD $?\"",
                "echo \"KMP:ERR5EXISTSKMOD $(cat /tmp/err5k)\"",
                "$K insmod " + foreign + " --allow-unsigned dummy 2>/tmp/err6; echo \"KMP:RC5VERMAGIC $?\"",
                "echo \"KMP:ERR5VERMAGIC $(cat /tmp/err6)\"",
                "/usr/sbin/insmod " + foreignFile + " 2>/tmp/err6k; echo \"KMP:RC5VERMAGICKMOD $?\"",
                "echo \"KMP:ERR5VERMAGICKMOD $(cat /tmp/err6k)\"",
                "$K umount /lib/modules/" + kver,
                "dmesg | tail -n 15 | sed 's/^/KMP:DMESG /'",
                "");
    }

    /** Boots the guest and collects its KMP: lines; fails with the console's end when it does not finish. */
    private static Map<String, String> boot(Path vmlinuz, Path initrd) throws Exception {
        List<String> command = List.of(QEMU, "-accel", "tcg", "-cpu", "max", "-smp", "2", "-m", "3072",
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
                        String rest = clean.substring(at + 4);
                        int space = rest.indexOf(' ');
                        String key = space < 0 ? rest : rest.substring(0, space);
                        String value = space < 0 ? "" : rest.substring(space + 1).strip();
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

    private static Set<String> difference(String after, String before) {
        Set<String> result = new TreeSet<>(words(after));
        result.removeAll(words(before));
        return result;
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
