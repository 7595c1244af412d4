package org.kmodpack.boottest;

import java.util.ArrayList;
import java.util.List;

/** The boots' figures as a table, and each pair's systemd-analyze side by side, for the test's output. */
final class BootTable {
    private static final int COLUMN = 78;

    private BootTable() {
    }

    static String render(Guest.Boot first, List<Guest.Boot> plain, List<Guest.Boot> bundle, List<Guest.Boot> refused,
            String kver) {
        StringBuilder out = new StringBuilder();
        out.append(String.format("%nBoots of Debian %s under qemu TCG (kmodpack-modules@%s.service as the unit)%n",
                kver, kver));
        out.append(String.format("%-12s %8s %10s %12s %10s %14s %10s %16s %16s%n", "boot", "kernel", "userspace",
                "multi-user", "qemu ran", "unit", "unit CPU", "load before", "load after"));
        List<Guest.Boot> all = new ArrayList<>(List.of(first));
        for (int i = 0; i < Math.max(plain.size(), bundle.size()); i++) {
            all.addAll(plain.subList(i, Math.min(i + 1, plain.size())));
            all.addAll(bundle.subList(i, Math.min(i + 1, bundle.size())));
        }
        all.addAll(refused);
        for (Guest.Boot boot : all) {
            BootReport r = boot.report();
            BootReport.UnitState unit = r.unit();
            String unitTime = unit.seconds() < 0 ? unit.activeState()
                    : String.format("%.2f s %s", unit.seconds(), unit.activeState());
            String cpu = unit.cpuNanos().matches("\\d+") ? String.format("%.2f s", Long.parseLong(unit.cpuNanos())
                    / 1e9) : "-";
            out.append(String.format("%-12s %6.2f s %8.2f s %10s %8.1f s %14s %10s %16s %16s%n", boot.label(),
                    r.reachedMultiUser() ? r.kernelSeconds() : Double.NaN,
                    r.reachedMultiUser() ? r.multiUserSeconds() : Double.NaN,
                    r.reachedMultiUser() ? String.format("%.2f s", r.bootSeconds()) : "not reached",
                    boot.wallSeconds(), unitTime, cpu, boot.loadBefore(), boot.loadAfter()));
        }
        out.append(String.format("%nThe mount daemon (%s's main process, the first boot and the next):%n  %s%n  %s%n",
                "kmodpack-modules@" + kver, first.report().daemon(), bundle.get(0).report().daemon()));
        for (Guest.Boot boot : bundle) {
            out.append(String.format("%s: the daemon mapped %s%n", boot.label(),
                    boot.report().daemonArchive().isEmpty() ? "no class data archive of its own"
                            : boot.report().daemonArchive()));
        }
        out.append(String.format("Modules systemd loaded before udev's coldplug: with the plain tree %s; with the "
                + "bundle %s%n", plain.get(0).report().earlyModules(), bundle.get(0).report().earlyModules()));
        out.append(String.format("%nsystemd-analyze, plain tree (left) and bundle (right):%n"));
        for (int i = 0; i < Math.min(plain.size(), bundle.size()); i++) {
            sideBySide(out, plain.get(i), bundle.get(i));
        }
        for (Guest.Boot boot : refused) {
            out.append(String.format("%n%s: systemctl status of the unit:%n", boot.label()));
            boot.report().unitStatus().forEach(line -> out.append("  ").append(line).append('\n'));
        }
        return out.toString();
    }

    private static void sideBySide(StringBuilder out, Guest.Boot left, Guest.Boot right) {
        List<String> l = left.report().analyze();
        List<String> r = right.report().analyze();
        out.append(String.format("%-" + COLUMN + "s | %s%n", "[" + left.label() + "]", "[" + right.label() + "]"));
        for (int i = 0; i < Math.max(l.size(), r.size()); i++) {
            out.append(String.format("%-" + COLUMN + "s | %s%n", i < l.size() ? l.get(i).strip() : "",
                    i < r.size() ? r.get(i).strip() : ""));
        }
    }
}
