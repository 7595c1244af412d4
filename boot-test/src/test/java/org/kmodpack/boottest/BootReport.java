package org.kmodpack.boottest;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What one boot of the guest showed: the modules its initramfs loaded, and what the report unit printed on the
 * serial console once the system was up (see {@link ReportUnit}).
 *
 * @param initramfsModules the modules loaded before switch_root (virtio_pci, 9p and what they need)
 * @param systemState what {@code systemctl is-system-running --wait} answered: "running" or "degraded"
 * @param mounts /proc/mounts
 * @param modules the names in /proc/modules once udev's queue was empty
 * @param modulesBeforeColdplug the names in /proc/modules when systemd-udev-trigger.service started
 * @param failedUnits {@code systemctl --failed}'s unit names
 * @param unit the kmodpack unit's state and timestamps, {@code systemctl show}'s view
 * @param daemon the command line of the unit's main process (the mount daemon's JVM), empty if it was not running
 * @param daemonArchive the class data archive the daemon's JVM has mapped, empty if none
 * @param unitStatus {@code systemctl status} of the kmodpack unit, as printed
 * @param analyze {@code systemd-analyze}'s lines, as printed
 */
record BootReport(Set<String> initramfsModules, String systemState, List<Mount> mounts, Set<String> modules,
        Set<String> modulesBeforeColdplug, List<String> failedUnits, UnitState unit, String daemon,
        String daemonArchive, List<String> unitStatus, List<String> analyze) {

    /** The console's marker: every reported line is "KMP:SECTION:TEXT". */
    static final String MARKER = "KMP:";

    private static final Pattern KERNEL = Pattern.compile("Startup finished in (.+?) \\(kernel\\)");
    private static final Pattern MULTI_USER = Pattern.compile("multi-user\\.target reached after (.+?) in userspace");
    private static final Pattern SPAN = Pattern.compile("(\\d+(?:\\.\\d+)?)(h|min|ms|us|s)");

    /** One line of /proc/mounts. */
    record Mount(String source, String target, String type) {
    }

    /**
     * The kmodpack unit as {@code systemctl show} saw it; timestamps are CLOCK_MONOTONIC microseconds, 0 when the
     * transition did not happen.
     */
    record UnitState(String activeState, String result, long inactiveExit, long activeEnter, long inactiveEnter,
            String cpuNanos) {
        /** Seconds from the start of the unit until it was active (or, if it failed, until it gave up); -1: never started. */
        double seconds() {
            long end = activeEnter != 0 ? activeEnter : inactiveEnter;
            return inactiveExit == 0 || end < inactiveExit ? -1 : (end - inactiveExit) / 1e6;
        }
    }

    /** The kernel's part of the boot, as systemd-analyze measured it. */
    double kernelSeconds() {
        return span(KERNEL, "kernel");
    }

    /** Userspace time until multi-user.target was reached. */
    double multiUserSeconds() {
        return span(MULTI_USER, "multi-user.target");
    }

    /** Seconds from the kernel's start to multi-user.target: the boot time compared between guests. */
    double bootSeconds() {
        return kernelSeconds() + multiUserSeconds();
    }

    boolean reachedMultiUser() {
        return analyze.stream().anyMatch(line -> MULTI_USER.matcher(line).find());
    }

    Optional<Mount> mountAt(String target) {
        return mounts.stream().filter(m -> m.target().equals(target)).reduce((first, second) -> second);
    }

    /** Modules loaded after switch_root: by udev, systemd or the kmodpack unit from the root's module directory. */
    Set<String> modulesLoadedAfterInitramfs() {
        return difference(modules, initramfsModules);
    }

    /** Modules loaded once udev's coldplug had begun: the drivers for the guest's devices. */
    Set<String> coldplugModules() {
        return difference(modules, modulesBeforeColdplug);
    }

    /** Modules loaded between switch_root and the coldplug: systemd's own and the kmodpack unit's fuse. */
    Set<String> earlyModules() {
        return difference(modulesBeforeColdplug, initramfsModules);
    }

    private static Set<String> difference(Set<String> from, Set<String> remove) {
        Set<String> result = new TreeSet<>(from);
        result.removeAll(remove);
        return result;
    }

    private double span(Pattern pattern, String what) {
        for (String line : analyze) {
            Matcher m = pattern.matcher(line);
            if (m.find()) {
                return seconds(m.group(1));
            }
        }
        throw new IllegalStateException("systemd-analyze printed no time for " + what + ": " + analyze);
    }

    /** systemd's time spans: "31.855s", "1min 2.345s", "870ms". */
    static double seconds(String span) {
        double total = 0;
        Matcher m = SPAN.matcher(span);
        while (m.find()) {
            double value = Double.parseDouble(m.group(1));
            total += switch (m.group(2)) {
                case "h" -> value * 3600;
                case "min" -> value * 60;
                case "ms" -> value / 1e3;
                case "us" -> value / 1e6;
                default -> value;
            };
        }
        return total;
    }

    /** Parses the console's marked lines; throws, naming what is missing, when the report is incomplete. */
    static BootReport parse(List<String> console) {
        Map<String, List<String>> sections = new LinkedHashMap<>();
        for (String line : console) {
            int at = line.indexOf(MARKER);
            int colon = at < 0 ? -1 : line.indexOf(':', at + MARKER.length());
            if (colon > 0) {
                sections.computeIfAbsent(line.substring(at + MARKER.length(), colon), k -> new ArrayList<>())
                        .add(line.substring(colon + 1));
            }
        }
        for (String required : List.of("initramfs-modules", "state", "mounts", "modules", "before-coldplug", "unit",
                "analyze", "end")) {
            if (!sections.containsKey(required)) {
                throw new IllegalStateException("the guest's report has no " + required + " section");
            }
        }
        List<Mount> mounts = new ArrayList<>();
        for (String line : sections.get("mounts")) {
            String[] fields = line.split(" ");
            mounts.add(new Mount(fields[0], fields[1], fields[2]));
        }
        Set<String> modules = new TreeSet<>();
        for (String line : sections.get("modules")) {
            modules.add(line.split(" ")[0]);
        }
        Set<String> beforeColdplug = new TreeSet<>(sections.get("before-coldplug"));
        List<String> failed = new ArrayList<>();
        for (String line : sections.getOrDefault("failed", List.of())) {
            if (!line.isBlank()) {
                failed.add(line.strip().split(" ")[0]);
            }
        }
        Map<String, String> unit = new LinkedHashMap<>();
        for (String line : sections.get("unit")) {
            int eq = line.indexOf('=');
            if (eq > 0) {
                unit.put(line.substring(0, eq), line.substring(eq + 1));
            }
        }
        return new BootReport(
                new TreeSet<>(List.of(String.join(" ", sections.get("initramfs-modules")).strip().split(" +"))),
                sections.get("state").get(0).strip(), mounts, modules, beforeColdplug, failed,
                new UnitState(unit.getOrDefault("ActiveState", ""), unit.getOrDefault("Result", ""),
                        micros(unit, "InactiveExitTimestampMonotonic"), micros(unit, "ActiveEnterTimestampMonotonic"),
                        micros(unit, "InactiveEnterTimestampMonotonic"), unit.getOrDefault("CPUUsageNSec", "")),
                String.join(" ", sections.getOrDefault("daemon", List.of())).strip(),
                String.join(" ", sections.getOrDefault("daemon-archive", List.of())).strip(),
                sections.getOrDefault("unit-status", List.of()), sections.get("analyze"));
    }

    private static long micros(Map<String, String> unit, String key) {
        String value = unit.getOrDefault(key, "0");
        return value.isEmpty() ? 0 : Long.parseLong(value);
    }
}
