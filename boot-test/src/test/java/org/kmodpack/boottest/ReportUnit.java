package org.kmodpack.boottest;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

/**
 * A service that, once the boot has finished, prints what {@link BootReport} reads to the serial console and powers
 * the guest off. It is {@code Type=simple}, so its own start does not hold the boot up: it waits for the boot to
 * finish ({@code systemctl is-system-running --wait}) and for udev's event queue to drain, so that /proc/modules
 * holds everything the coldplug loaded. Printed to the console because journald cannot keep files on a 9p root.
 */
final class ReportUnit {
    private static final String NAME = "guest-report.service";
    private static final String BEFORE_COLDPLUG = "/run/guest-report-modules-before-coldplug";

    private ReportUnit() {
    }

    /**
     * Installs the unit into {@code root}, reporting on the kmodpack unit of {@code kver}; makes multi-user.target
     * the default (so systemd-analyze times it) and masks the gettys, which would hang up ttyS0 under the report.
     * The guest then powers off at once, or with {@code cleanShutdown} stops its units first (the kmodpack unit's
     * daemon then unmounts and exits as on any shutdown).
     */
    static void install(Path root, String kver, boolean cleanShutdown) throws IOException {
        String unit = "kmodpack-modules@" + kver + ".service";
        String script = String.join("\n", "#!/bin/sh",
                "report() { sed \"s/^/" + BootReport.MARKER + "$1:/\"; }",
                "systemctl is-system-running --wait | report state",
                "udevadm settle --timeout=300",
                "report mounts </proc/mounts",
                "report modules </proc/modules",
                "report before-coldplug <" + BEFORE_COLDPLUG,
                "systemctl --failed --no-legend --plain | report failed",
                "systemctl show " + unit + " -p ActiveState -p Result -p InactiveExitTimestampMonotonic "
                        + "-p ActiveEnterTimestampMonotonic -p InactiveEnterTimestampMonotonic -p CPUUsageNSec "
                        + "| report unit",
                "pid=$(systemctl show -p MainPID --value " + unit + ")",
                "[ \"$pid\" = 0 ] || { tr '\\0' ' ' </proc/$pid/cmdline; echo; } | report daemon",
                // Whether the daemon's JVM mapped a class data archive of its own (HotSpot drops one silently).
                "[ \"$pid\" = 0 ] || grep -o '/var/cache/kmodpack/[^ ]*\\.jsa' /proc/$pid/maps | sort -u "
                        + "| report daemon-archive",
                "systemctl status " + unit + " -l --no-pager 2>&1 | report unit-status",
                // Not `systemd-analyze blame`: it takes minutes under software emulation.
                "systemd-analyze 2>&1 | report analyze",
                "echo " + BootReport.MARKER + "end:",
                cleanShutdown ? "systemctl poweroff" : "systemctl poweroff --force --force", "");
        Path bin = root.resolve("usr/local/sbin/guest-report");
        Files.createDirectories(bin.getParent());
        Files.writeString(bin, script);
        Files.setPosixFilePermissions(bin, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path systemd = root.resolve("etc/systemd/system");
        Files.writeString(systemd.resolve(NAME), String.join("\n", "[Unit]",
                "Description=Report the boot on the serial console, then power off",
                "After=multi-user.target", "",
                "[Service]", "Type=simple", "ExecStart=/usr/local/sbin/guest-report",
                "StandardOutput=tty", "StandardError=tty", "TTYPath=/dev/ttyS0", "",
                "[Install]", "WantedBy=multi-user.target", ""));
        // What was loaded when udev's coldplug began, so the report can tell the coldplug's modules from those
        // systemd loads itself before it (autofs4, and modprobe@*.service's configfs, dm_mod, loop...).
        Path trigger = systemd.resolve("systemd-udev-trigger.service.d");
        Files.createDirectories(trigger);
        Files.writeString(trigger.resolve("guest-report.conf"), String.join("\n", "[Service]",
                "ExecStartPre=/bin/sh -c 'cut -d\" \" -f1 /proc/modules >" + BEFORE_COLDPLUG + "'", ""));
        Path wants = systemd.resolve("multi-user.target.wants");
        Files.createDirectories(wants);
        Files.createSymbolicLink(wants.resolve(NAME), Path.of("/etc/systemd/system", NAME));
        Path defaultTarget = systemd.resolve("default.target");
        Files.deleteIfExists(defaultTarget);
        Files.createSymbolicLink(defaultTarget, Path.of("/lib/systemd/system/multi-user.target"));
        for (String getty : List.of("serial-getty@ttyS0.service", "getty@tty1.service", "getty-static.service")) {
            Path masked = systemd.resolve(getty);
            Files.deleteIfExists(masked);
            Files.createSymbolicLink(masked, Path.of("/dev/null"));
        }
    }
}
