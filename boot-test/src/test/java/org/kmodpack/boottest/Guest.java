package org.kmodpack.boottest;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.commons.compress.archivers.cpio.CpioArchiveEntry;
import org.apache.commons.compress.archivers.cpio.CpioArchiveOutputStream;
import org.apache.commons.compress.archivers.cpio.CpioConstants;

/**
 * Debian's kernel under qemu's software emulation (no KVM on these machines), booting a root file system shared
 * from this host over virtio-9p, with a virtio-net NIC whose driver udev must load from /lib/modules. The
 * initramfs holds only what mounting the root needs: virtio_pci, 9pnet_virtio and 9p from {@code kmodpack
 * initramfs}, static busybox, and an /init that loads them and hands over to the root's systemd.
 */
final class Guest {
    static final String QEMU = "/usr/bin/qemu-system-x86_64";
    static final String BUSYBOX = "/bin/busybox";
    private static final Duration TIMEOUT = Duration.ofMinutes(8);
    private static final int CONSOLE_TAIL = 60;

    private final Path vmlinuz;
    private final Path initrd;

    /** A finished boot: the report, how long qemu ran, and the host's load average before and after. */
    record Boot(String label, BootReport report, double wallSeconds, String loadBefore, String loadAfter) {
    }

    Guest(Path vmlinuz, Path initrd) {
        this.vmlinuz = vmlinuz;
        this.initrd = initrd;
    }

    /**
     * Writes the initramfs to {@code initrd}: kmodpack's archive of the modules for a 9p root, taken from a bundle
     * trusted through {@code trust}, followed by busybox and /init (the kernel unpacks concatenated archives).
     */
    static void writeInitramfs(Path bundle, Path trust, Path initrd) throws IOException {
        Host.kmodpack("initramfs", bundle.toString(), "--trust", trust.toString(), "--compress", "none",
                "-o", initrd.toString(), "virtio_pci", "9pnet_virtio", "9p");
        String init = String.join("\n", "#!/bin/busybox sh",
                "/bin/busybox --install -s /bin",
                "export PATH=/bin",
                "mount -t proc proc /proc",
                "mount -t devtmpfs dev /dev",
                "modprobe virtio_pci && modprobe 9pnet_virtio && modprobe 9p",
                "echo \"" + BootReport.MARKER + "initramfs-modules:$(cut -d' ' -f1 /proc/modules | tr '\\n' ' ')\"",
                // cache=loose: nothing changes the root behind the guest's back while it runs.
                "mount -t 9p -o trans=virtio,version=9p2000.L,msize=512000,cache=loose root /newroot",
                "mount --move /dev /newroot/dev",
                "umount /proc",
                "exec switch_root /newroot /sbin/init", "");
        try (OutputStream out = Files.newOutputStream(initrd, StandardOpenOption.APPEND);
                CpioArchiveOutputStream cpio = new CpioArchiveOutputStream(out, CpioConstants.FORMAT_NEW)) {
            long inode = 1_000_000;
            for (String dir : List.of("bin", "dev", "proc", "newroot")) {
                entry(cpio, dir, CpioConstants.C_ISDIR | 0755, inode++, 0, new byte[0]);
            }
            entry(cpio, "dev/console", CpioConstants.C_ISCHR | 0600, inode++, 5 << 8 | 1, new byte[0]);
            entry(cpio, "bin/busybox", CpioConstants.C_ISREG | 0755, inode++, 0, Files.readAllBytes(Path.of(BUSYBOX)));
            entry(cpio, "init", CpioConstants.C_ISREG | 0755, inode, 0, init.getBytes(StandardCharsets.UTF_8));
        }
    }

    private static void entry(CpioArchiveOutputStream cpio, String name, int mode, long inode, int device,
            byte[] content) throws IOException {
        CpioArchiveEntry e = new CpioArchiveEntry(CpioConstants.FORMAT_NEW, name);
        e.setMode(mode);
        e.setInode(inode);
        e.setNumberOfLinks(1);
        e.setRemoteDeviceMaj(device >> 8);
        e.setRemoteDeviceMin(device & 0xff);
        e.setSize(content.length);
        cpio.putArchiveEntry(e);
        cpio.write(content);
        cpio.closeArchiveEntry();
    }

    /** Boots {@code root} until the report unit powers the guest off; fails with the console's end otherwise. */
    Boot boot(String label, Path root) throws IOException, InterruptedException {
        // no_timer_check: on a busy host the emulated timer can fail the kernel's IO-APIC check, and it panics.
        List<String> command = List.of(QEMU, "-nodefaults", "-accel", "tcg", "-cpu", "max", "-smp", "2",
                "-m", "2048", "-kernel", vmlinuz.toString(), "-initrd", initrd.toString(),
                "-append", "console=ttyS0 panic=-1 rw quiet no_timer_check", "-display", "none", "-serial", "stdio",
                "-no-reboot", "-nic", "user,model=virtio-net-pci",
                "-virtfs", "local,path=" + root + ",mount_tag=root,security_model=none,multidevs=remap");
        String loadBefore = loadAverage();
        long start = System.nanoTime();
        Process qemu = new ProcessBuilder(command).redirectErrorStream(true).start();
        qemu.getOutputStream().close();
        List<String> console = new ArrayList<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(qemu.getInputStream(),
                    StandardCharsets.UTF_8))) {
                for (String line = in.readLine(); line != null; line = in.readLine()) {
                    synchronized (console) {
                        console.add(line.replace("\r", ""));
                    }
                }
            } catch (IOException e) {
                synchronized (console) {
                    console.add("(console read failed: " + e + ")");
                }
            }
        }, "qemu console " + label);
        reader.start();
        boolean finished = qemu.waitFor(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        if (!finished) {
            qemu.destroyForcibly().waitFor();
        }
        reader.join(10_000);
        double wall = (System.nanoTime() - start) / 1e9;
        List<String> lines;
        synchronized (console) {
            lines = List.copyOf(console);
        }
        String tail = String.join("\n", lines.subList(Math.max(0, lines.size() - CONSOLE_TAIL), lines.size()));
        if (!finished) {
            throw new AssertionError(label + ": the guest did not power off within " + TIMEOUT.toMinutes()
                    + " min; its console ends with:\n" + tail);
        }
        try {
            return new Boot(label, BootReport.parse(lines), wall, loadBefore, loadAverage());
        } catch (RuntimeException e) {
            throw new AssertionError(label + ": " + e.getMessage() + "; the console ends with:\n" + tail, e);
        }
    }

    private static String loadAverage() throws IOException {
        String[] fields = Files.readString(Path.of("/proc/loadavg")).split(" ");
        return fields[0] + " " + fields[1] + " " + fields[2];
    }
}
