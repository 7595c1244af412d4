package org.kmodpack.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.kmodpack.format.BlockRecord;
import org.kmodpack.format.Header;
import org.kmodpack.fuse.MountTable;
import org.kmodpack.fuse.Unmount;
import org.kmodpack.reader.Bundle;
import org.kmodpack.reader.Entry;
import org.kmodpack.testkernels.Bytes;
import org.kmodpack.testkernels.SyntheticFirmware;
import org.kmodpack.testkernels.SyntheticKernel;
import org.kmodpack.testkernels.SyntheticKernels;

/**
 * The mount daemon as users start it, through the launcher and the mount(8) helper: one JVM that answers,
 * stops on umount or SIGTERM, recovers after kill -9, follows symlinks (merged /usr) to the real mount point,
 * and refuses bad input with one line while leaving nothing behind.
 */
class MountCliTest {
    private static final Pattern DAEMON_PID = Pattern.compile("daemon pid (\\d+)");
    private static final String LARGE_FIRMWARE = "acme/large.bin";

    @TempDir
    static Path work;
    static Path bundle;
    static Path signed;
    static Path key;
    static String kernelVersion;
    @RegisterExtension
    final MountPoints mounted = new MountPoints();

    @BeforeAll
    static void pack() throws IOException {
        MountPoints.requireFuse();
        Path tree = SyntheticKernels.moduleDir(SyntheticKernel.BASIC);
        kernelVersion = SyntheticKernel.BASIC.kernelVersion();
        bundle = work.resolve("basic.kpack");
        CliTest.Run pack = CliTest.run("pack", tree.toString(), "-o", bundle.toString());
        assertEquals(0, pack.exit(), pack.err());
        key = keygen("release");
        signed = work.resolve("signed.kpack");
        CliTest.Run packSigned = CliTest.run("pack", tree.toString(), "-o", signed.toString(), "--sign",
                key + ".key");
        assertEquals(0, packSigned.exit(), packSigned.err());
    }

    @Test
    void mountReturnsOnceTheTreeAnswersFromOneJvmThatIsTheDaemon() throws Exception {
        Path mountPoint = directory("mnt-one");
        CliTest.Run mount = Launcher.kmodpack("mount", signed.toString(), mountPoint.toString(), "--trust",
                key + ".pub");
        assertEquals(0, mount.exit(), mount.err());
        Matcher logNamed = Pattern.compile("log (/\\S+)\\)").matcher(mount.out());
        assertTrue(logNamed.find(), mount.out());
        Path log = Path.of(logNamed.group(1));
        assertTrue(Files.exists(log), "the daemon's log while it serves");
        mounted.add(mountPoint);
        assertTrue(Files.exists(mountPoint.resolve("modules.dep")), "the tree answers when mount returns");
        ProcessHandle daemon = daemon(mount);
        List<ProcessHandle> jvms = ProcessHandle.allProcesses()
                .filter(p -> commandLine(p).contains(signed.toString())).toList();
        assertEquals(List.of(daemon.pid()), jvms.stream().map(ProcessHandle::pid).toList(),
                "exactly one process serves the mount, and it is the daemon whose pid mount printed");
        assertTrue(daemon.info().command().orElse("").endsWith("java"), daemon.info().toString());

        CliTest.Run umount = Launcher.kmodpack("umount", mountPoint.toString());
        assertEquals(0, umount.exit(), umount.err());
        assertTrue(MountTable.at(mountPoint).isEmpty());
        daemon.onExit().get(10, TimeUnit.SECONDS);
        assertFalse(Files.exists(log), "a daemon with nothing to say leaves no log behind");
        CliTest.Run again = Launcher.kmodpack("umount", mountPoint.toString());
        assertEquals(1, again.exit());
        assertEquals(1, again.err().lines().count(), again.err());
        assertTrue(again.err().contains("nothing is mounted"), again.err());
    }

    @Test
    void aMountPointBehindSymlinksIsMountedAndUnmountedByItsRealPath() throws Exception {
        // Merged /usr: ROOT/lib -> usr/lib, so ROOT/lib/modules/KVER is ROOT/usr/lib/modules/KVER.
        Path root = work.resolve("merged");
        Path real = Files.createDirectories(root.resolve("usr/lib/modules/" + kernelVersion));
        Files.createSymbolicLink(root.resolve("lib"), Path.of("usr/lib"));
        Path typed = root.resolve("lib/modules/" + kernelVersion);
        mounted.add(real);

        CliTest.Run mount = Launcher.kmodpack("mount", bundle.toString(), typed.toString(), "--allow-unsigned",
                "--log", work.resolve("merged.log").toString());
        assertEquals(0, mount.exit(), mount.err());
        MountTable.Mount entry = MountTable.at(typed).orElseThrow();
        assertEquals(real.toRealPath(), entry.mountPoint());
        assertTrue(Files.readString(Path.of("/proc/self/mountinfo")).contains(" " + real.toRealPath() + " "));
        assertTrue(Files.exists(typed.resolve("modules.dep")));
        assertEquals(0, Launcher.kmodpack("umount", typed.toString()).exit(), "umount by the path the user typed");
        assertTrue(MountTable.at(real).isEmpty());

        assertEquals(0, Launcher.kmodpack("mount", bundle.toString(), typed.toString(), "--allow-unsigned", "--log",
                work.resolve("merged.log").toString()).exit());
        CliTest.Run second = Launcher.kmodpack("mount", bundle.toString(), real.toString(), "--allow-unsigned");
        assertEquals(1, second.exit(), "a second mount on the same point, reached by another path");
        assertTrue(second.err().contains("already has a kmodpack mount"), second.err());
        assertEquals(0, Launcher.kmodpack("umount", real.toString()).exit(), "umount by the real path");
        assertTrue(MountTable.at(typed).isEmpty());
    }

    @Test
    void umountClearsTheDeadMountOfAKilledDaemonThroughASymlink() throws Exception {
        Path mountPoint = directory("mnt-kill");
        Path link = work.resolve("link-to-mnt-kill");
        Files.createSymbolicLink(link, mountPoint);
        ProcessHandle daemon = mount(bundle, mountPoint);
        daemon.destroyForcibly();
        daemon.onExit().get(10, TimeUnit.SECONDS);
        assertEquals(Optional.of(MountTable.TYPE), MountTable.typeAt(mountPoint),
                "kill -9 leaves the dead mount behind, still typed fuse.kmodpack");
        CliTest.Run umount = Launcher.kmodpack("umount", link.toString());
        assertEquals(0, umount.exit(), umount.err());
        assertTrue(MountTable.at(mountPoint).isEmpty());
        assertTrue(Files.isDirectory(mountPoint), "the mount point is usable again");
    }

    @Test
    void inTheForegroundTheLauncherIsTheDaemonAndTellsSystemdWhenTheTreeAnswers() throws Exception {
        Path mountPoint = directory("mnt-notify");
        try (NotifySocket socket = new NotifySocket("kmodpack-test-" + ProcessHandle.current().pid(), 120)) {
            ProcessBuilder builder = new ProcessBuilder(Launcher.SYSTEM.resolve("kmodpack").toString(), "mount",
                    "--foreground", signed.toString(), mountPoint.toString(), "--trust", key + ".pub")
                    .redirectErrorStream(true).redirectOutput(work.resolve("notify.log").toFile());
            builder.environment().put("KMODPACK_CLASSPATH", Launcher.classPath());
            builder.environment().put("KMODPACK_CDS_ARCHIVE", "");
            builder.environment().put("NOTIFY_SOCKET", socket.address);
            Process daemon = builder.start();
            mounted.add(mountPoint);
            String message = socket.receive();
            assertTrue(message != null && message.lines().toList().contains("READY=1"),
                    message + " / " + Files.readString(work.resolve("notify.log")));
            assertTrue(message.lines().toList().contains("MAINPID=" + daemon.pid()),
                    "the launcher execs the daemon: systemd's main process is the JVM: " + message);
            assertTrue(Files.exists(mountPoint.resolve("modules.dep")), "the tree answers when READY=1 arrives");
            daemon.destroy();
            assertEquals(143, daemon.waitFor(), "SIGTERM ends the daemon as systemd stops a unit");
            assertTrue(MountTable.at(mountPoint).isEmpty(), "and unmounts");
        }
    }

    @Test
    void theFirmwareIsServedBesideTheModulesAndGoesWithThem() throws Exception {
        Path firmwareBundle = firmwareBundle();
        Path mountPoint = directory("mnt-fw-modules");
        Path firmware = directory("mnt-fw");
        CliTest.Run mount = Launcher.kmodpack("mount", firmwareBundle.toString(), mountPoint.toString(),
                "--allow-unsigned", "--firmware-at", firmware.toString(), "--log", work.resolve("fw.log").toString());
        assertEquals(0, mount.exit(), mount.err());
        mounted.add(mountPoint);
        assertTrue(mount.out().contains("its firmware at " + firmware.toRealPath()), mount.out());
        assertEquals(Optional.of(MountTable.TYPE), MountTable.typeAt(mountPoint), "the module directory's mount");
        assertEquals(Optional.of(MountTable.FIRMWARE_TYPE), MountTable.typeAt(firmware));
        assertEquals(SyntheticFirmware.UPDATED_WIFI, Files.readString(firmware.resolve("acme/wifi-1.bin")));
        assertEquals(Path.of("acme/usb/v2.fw"), Files.readSymbolicLink(firmware.resolve("acme-usb.fw")));
        assertTrue(Files.exists(firmware.resolve("acme/nic.fw.xz")) && Files.exists(firmware.resolve(
                "acme/nic.fw.zst")), "both compressed variants");
        ProcessHandle daemon = daemon(mount);
        CliTest.Run umount = Launcher.kmodpack("umount", mountPoint.toString());
        assertEquals(0, umount.exit(), umount.err());
        assertTrue(MountTable.at(mountPoint).isEmpty() && MountTable.at(firmware).isEmpty(),
                "umount of the module directory removes the firmware mount too");
        daemon.onExit().get(10, TimeUnit.SECONDS);

        CliTest.Run without = Launcher.kmodpack("mount", firmwareBundle.toString(), mountPoint.toString(),
                "--allow-unsigned", "--no-firmware", "--firmware-at", firmware.toString());
        assertEquals(2, without.exit(), "--no-firmware with --firmware-at is a usage error: " + without.err());
        ProcessHandle skipping = mount(firmwareBundle, mountPoint, "--no-firmware");
        assertTrue(MountTable.at(firmware).isEmpty(), "--no-firmware serves none");
        assertEquals(0, Launcher.kmodpack("umount", mountPoint.toString()).exit());
        skipping.onExit().get(10, TimeUnit.SECONDS);

        CliTest.Run helper = Launcher.script("mount.fuse.kmodpack", Map.of(), firmwareBundle.toString(),
                mountPoint.toString(), "-o", "ro,allow_unsigned,firmware_at=" + firmware);
        assertEquals(0, helper.exit(), helper.err());
        assertEquals(Optional.of(MountTable.FIRMWARE_TYPE), MountTable.typeAt(firmware), "the helper's firmware_at=");
        assertEquals(0, Launcher.kmodpack("umount", mountPoint.toString()).exit());
        assertTrue(MountTable.at(firmware).isEmpty());

        CliTest.Run none = Launcher.kmodpack("mount", bundle.toString(), mountPoint.toString(), "--allow-unsigned",
                "--firmware-at", firmware.toString(), "--log", work.resolve("fw-none.log").toString());
        assertEquals(0, none.exit(), none.err());
        assertTrue(none.err().contains("carries no firmware; nothing is served at " + firmware), none.err());
        assertTrue(MountTable.at(firmware).isEmpty(), "a bundle without firmware mounts nothing extra");
        assertEquals(0, Launcher.kmodpack("umount", mountPoint.toString()).exit());
    }

    @Test
    void aDamagedFirmwareBlockFailsThatFirmwareWhileTheModulesAreServed() throws Exception {
        Path damaged = work.resolve("firmware-damaged.kpack");
        Files.copy(firmwareBundle(), damaged, StandardCopyOption.REPLACE_EXISTING);
        int block;
        try (Bundle opened = Bundle.open(damaged)) {
            Entry large = opened.findFirmware(LARGE_FIRMWARE).orElseThrow();
            block = opened.blockOf(large, large.size() / 2);
            BlockRecord record = opened.index().block(block);
            Bytes.flip(damaged, record.offset() + record.storedLength() / 2, 0x10);
        }
        Path mountPoint = directory("mnt-fw-damaged-modules");
        Path firmware = directory("mnt-fw-damaged");
        CliTest.Run mount = Launcher.kmodpack("mount", damaged.toString(), mountPoint.toString(), "--allow-unsigned",
                "--firmware-at", firmware.toString(), "--log", work.resolve("fw-damaged.log").toString());
        assertEquals(0, mount.exit(), mount.err());
        mounted.add(mountPoint);
        assertTrue(mount.err().contains("blocks [" + block + "] of " + damaged + " do not match their SHA-256 and "
                + "hold firmware only"), mount.err());
        assertTrue(Files.readString(mountPoint.resolve("modules.dep")).contains("acme_wifi"));
        IOException eio = org.junit.jupiter.api.Assertions.assertThrows(IOException.class,
                () -> Files.readAllBytes(firmware.resolve(LARGE_FIRMWARE)));
        assertTrue(eio.getMessage().contains("Input/output error"), eio.toString());
        assertEquals(SyntheticFirmware.UPDATED_WIFI, Files.readString(firmware.resolve("acme/wifi-1.bin")));
        assertEquals(0, Launcher.kmodpack("umount", mountPoint.toString()).exit());
    }

    /**
     * test-kernels' FIRMWARE tree packed with its synthetic firmware directory, plus {@value #LARGE_FIRMWARE}
     * (several blocks of 4 KiB, so that some hold nothing else) named with --firmware-extra.
     */
    private static Path firmwareBundle() throws IOException {
        Path packed = work.resolve("firmware.kpack");
        if (!Files.exists(packed)) {
            Path directory = SyntheticFirmware.write(work.resolve("firmware"));
            byte[] large = new byte[5 * 4096];
            new java.util.Random(17).nextBytes(large);
            Files.write(directory.resolve(LARGE_FIRMWARE), large);
            CliTest.Run pack = CliTest.run("pack", SyntheticKernels.moduleDir(SyntheticKernel.FIRMWARE).toString(),
                    "-o", packed.toString(), "--block-size", "4096", "--firmware", directory.toString(),
                    "--firmware-extra", LARGE_FIRMWARE);
            assertEquals(0, pack.exit(), pack.err());
        }
        return packed;
    }

    @Test
    void umountRefusesWhatIsNotAKmodpackMount() throws Exception {
        CliTest.Run proc = Launcher.kmodpack("umount", "/proc");
        assertEquals(1, proc.exit());
        assertEquals(1, proc.err().lines().count(), proc.err());
        assertTrue(proc.err().contains("/proc is a proc mount, not kmodpack's"), proc.err());
        assertEquals(Optional.of("proc"), MountTable.typeAt(Path.of("/proc")), "/proc is still mounted");
    }

    @Test
    void sigtermUnmountsCleanly() throws Exception {
        Path mountPoint = directory("mnt-term");
        ProcessHandle daemon = mount(bundle, mountPoint);
        daemon.destroy();
        daemon.onExit().get(10, TimeUnit.SECONDS);
        assertTrue(MountTable.at(mountPoint).isEmpty(), "the daemon unmounted on SIGTERM");
    }

    @Test
    void mountingOverANonEmptyDirectorySaysWhatItHides() throws Exception {
        Path mountPoint = directory("mnt-busy");
        Files.writeString(mountPoint.resolve("old-file"), "hidden while mounted");
        CliTest.Run mount = Launcher.kmodpack("mount", bundle.toString(), mountPoint.toString(), "--allow-unsigned",
                "--log", work.resolve("busy.log").toString());
        assertEquals(0, mount.exit(), mount.err());
        mounted.add(mountPoint);
        assertTrue(mount.err().contains("hides the 1 entries now in " + mountPoint), mount.err());
        assertFalse(Files.exists(mountPoint.resolve("old-file")));
        assertEquals(0, Launcher.kmodpack("umount", mountPoint.toString()).exit());
        assertEquals("hidden while mounted", Files.readString(mountPoint.resolve("old-file")));
    }

    @Test
    void theMountHelperIsSilentOnSuccessAndExits32WithTheReasonOnFailure() throws Exception {
        Path mountPoint = directory("mnt-helper");
        CliTest.Run helper = Launcher.script("mount.fuse.kmodpack", Map.of(), signed.toString(),
                mountPoint.toString(), "-o", "ro,nodev,trust=" + key + ".pub");
        assertEquals(0, helper.exit(), helper.err());
        mounted.add(mountPoint);
        assertEquals("", helper.out() + helper.err(), "silent on success");
        assertEquals(Optional.of(MountTable.TYPE), MountTable.typeAt(mountPoint));
        CliTest.Run second = Launcher.script("mount.fuse.kmodpack", Map.of(), signed.toString(),
                mountPoint.toString(), "-o", "ro,trust=" + key + ".pub");
        assertEquals(32, second.exit());
        assertEquals(1, second.err().lines().count(), second.err());
        assertTrue(second.err().startsWith("mount.fuse.kmodpack: " + mountPoint + " already has a kmodpack mount"),
                second.err());
        Path other = directory("mnt-helper-unsigned");
        CliTest.Run unsigned = Launcher.script("mount.fuse.kmodpack", Map.of(), bundle.toString(), other.toString(),
                "-o", "trust=" + key + ".pub");
        assertRefused(unsigned, 32, "basic.kpack", other);
    }

    @Test
    void badInputIsOneLineNamingTheFileAndLeavesNothingBehind() throws Exception {
        Path stranger = keygen("stranger");
        Path byStranger = work.resolve("stranger.kpack");
        Path expired = work.resolve("expired.kpack");
        Path tree = SyntheticKernels.moduleDir(SyntheticKernel.BASIC);
        assertEquals(0, CliTest.run("pack", tree.toString(), "-o", byStranger.toString(), "--sign",
                stranger + ".key").exit());
        assertEquals(0, CliTest.run("pack", tree.toString(), "-o", expired.toString(), "--sign", key + ".key",
                "--expires", "2020-01-01").exit());
        Path damaged = damagedCopy();
        Path target = directory("mnt-bad");
        Path file = Files.writeString(work.resolve("a-file"), "not a directory");
        Path missing = work.resolve("missing-dir");
        Path otherKernel = Files.createDirectories(work.resolve("root/lib/modules/5.10.0-other"));
        String trust = key + ".pub";

        record Case(String what, List<String> args, String expected, Path where) {
        }
        List<Case> cases = List.of(
                new Case("unsigned", List.of(bundle.toString(), target.toString(), "--trust", trust),
                        "basic.kpack", target),
                new Case("untrusted", List.of(byStranger.toString(), target.toString(), "--trust", trust,
                        "--allow-unsigned"), "stranger.kpack", target),
                new Case("expired", List.of(expired.toString(), target.toString(), "--trust", trust),
                        "expired", target),
                new Case("damaged block", List.of(damaged.toString(), target.toString(), "--trust", trust),
                        "fails its SHA-256 check", target),
                new Case("another kernel's directory", List.of(signed.toString(), otherKernel.toString(), "--trust",
                        trust), "not of 5.10.0-other", otherKernel),
                new Case("mount point is a file", List.of(signed.toString(), file.toString(), "--trust", trust),
                        "a-file: mount point is not a directory", file),
                new Case("mount point missing", List.of(signed.toString(), missing.toString(), "--trust", trust),
                        "missing-dir: mount point does not exist", missing),
                new Case("libfuse refuses an option", List.of(signed.toString(), target.toString(), "--trust", trust,
                        "-o", "no_such_fuse_option"), "mnt-bad", target));
        for (Case c : cases) {
            CliTest.Run run = Launcher.kmodpack(List.of(List.of("mount"), c.args()).stream().flatMap(List::stream)
                    .toArray(String[]::new));
            assertEquals(1, run.exit(), c.what() + ": " + run.err());
            // libfuse writes its own reason before kmodpack's line; kmodpack's own refusals are one line.
            List<String> lines = run.err().lines().filter(line -> !line.startsWith("fuse: ")).toList();
            assertEquals(1, lines.size(), c.what() + ": one line: " + run.err());
            assertTrue(lines.get(0).startsWith("kmodpack: ") && lines.get(0).contains(c.expected()),
                    c.what() + ": " + run.err());
            assertTrue(MountTable.at(c.where()).isEmpty(), c.what() + ": nothing mounted");
            // This case's daemon, named by its bundle: other mounts may run on the machine.
            assertEquals(List.of(), ProcessHandle.allProcesses().filter(p -> {
                String commandLine = commandLine(p);
                return commandLine.contains("MountMain") && commandLine.contains(c.args().get(0));
            }).map(ProcessHandle::pid).toList(), c.what() + ": no daemon left");
        }
        assertFalse(Files.exists(missing), "a missing mount point is not created");
        try (var entries = Files.list(target)) {
            assertFalse(entries.findAny().isPresent(), "nothing written into the mount point");
        }
    }

    @Test
    void aTimeoutThatIsNoTimeIsAUsageError() throws Exception {
        Path target = directory("m-timeout");
        CliTest.Run run = Launcher.kmodpack("mount", bundle.toString(), target.toString(), "--allow-unsigned",
                "--timeout", "0");
        assertRefused(run, 2, "--timeout must be a positive number of seconds", target);
    }

    @Test
    void aFuseOptionLibfuseRefusesIsNamedAsSuch() throws Exception {
        Path target = directory("m-option");
        CliTest.Run run = Launcher.kmodpack("mount", bundle.toString(), target.toString(), "--allow-unsigned",
                "-o", "no_such_fuse_option");
        assertEquals(1, run.exit());
        assertEquals("fuse: unknown option `no_such_fuse_option'\nkmodpack: mounting " + bundle + " at " + target
                + " failed: libfuse refused it for the reason on the line above (an -o option libfuse 2 does not "
                + "take, or no libfuse2: apt-get install libfuse2)\n", run.err());
        assertTrue(MountTable.at(target).isEmpty());
    }

    @Test
    void aClassDataArchiveWhoseWritingWasCutShortIsWrittenAgainInsteadOfIgnoredForever() throws Exception {
        Path archive = directory("cds").resolve("mount.jsa");
        Path marker = archive.resolveSibling("mount.jsa.mounted");
        // HotSpot writes an archive's header, at its start, last: a daemon killed while writing leaves zeros there.
        byte[] cutShort = new byte[8192];
        Files.write(archive, cutShort);
        Files.write(marker, new byte[0]);
        assertTrue(daemonOptions(archive, "mnt-cds-cut").contains("-XX:ArchiveClassesAtExit=" + archive),
                "an archive cut short is written again");

        byte[] written = cutShort.clone();
        written[0] = (byte) 0xa8;
        Files.write(archive, written);
        Files.write(marker, new byte[0]);
        assertTrue(daemonOptions(archive, "mnt-cds-whole").contains("-XX:SharedArchiveFile=" + archive),
                "an archive written whole by a daemon that mounted is mapped");
    }

    @Test
    void aClassDataArchiveOlderThanTheJdksBaseArchiveIsWrittenAgain() throws Exception {
        // A JDK whose base archive is rewritten in place (`java -Xshare:dump`) keeps its java binary's time, and
        // a dynamic archive made over the old base archive no longer maps: HotSpot would ignore it at every start.
        Path jdk = directory("jdk");
        Path java = Files.createDirectories(jdk.resolve("bin")).resolve("java");
        Files.writeString(java, "#!/bin/sh\nexec " + Path.of(System.getProperty("java.home"), "bin", "java")
                + " \"$@\"\n");
        java.toFile().setExecutable(true);
        Path baseArchive = Files.createDirectories(jdk.resolve("lib/server")).resolve("classes.jsa");
        Files.write(baseArchive, new byte[0]);
        Path archive = directory("cds-base").resolve("mount.jsa");
        Path marker = archive.resolveSibling("mount.jsa.mounted");
        long now = System.currentTimeMillis();
        Files.setLastModifiedTime(java, FileTime.fromMillis(now - 3_600_000));
        for (long baseArchiveAge : new long[] {0, 1_800_000}) {
            byte[] written = new byte[8192];
            written[0] = (byte) 0xa8;
            Files.write(archive, written);
            Files.write(marker, new byte[0]);
            Files.setLastModifiedTime(archive, FileTime.fromMillis(now - 60_000));
            Files.setLastModifiedTime(baseArchive, FileTime.fromMillis(now - baseArchiveAge));
            String options = daemonOptions(archive, "mnt-cds-base-" + baseArchiveAge, Map.of("JAVA_HOME",
                    jdk.toString()));
            if (baseArchiveAge == 0) {
                assertTrue(options.contains("-XX:ArchiveClassesAtExit=" + archive),
                        "an archive older than the JDK's base archive is written again: " + options);
            } else {
                assertTrue(options.contains("-XX:SharedArchiveFile=" + archive),
                        "an archive newer than the JDK's base archive is mapped: " + options);
            }
        }
    }

    @Test
    void aLayeredMountKeepsAClassDataArchiveOfItsOwnBesideTheBaseAlones() throws Exception {
        Path archive = directory("cds-layered").resolve("mount.jsa");
        byte[] written = new byte[8192];
        written[0] = (byte) 0xa8;
        Files.write(archive, written);
        Files.write(archive.resolveSibling("mount.jsa.mounted"), new byte[0]);
        Path layer = LayerFixtures.packLayersTheBaseAnswersFor(directory("cds-layers")).get(0);
        String options = daemonOptions(archive, "mnt-cds-layered", Map.of(), "--layer", layer.toString());
        assertTrue(options.contains("-XX:ArchiveClassesAtExit=" + archive.resolveSibling("mount-layered.jsa")),
                "the merge's classes go to an archive of their own, not into the base alone's: " + options);
        assertTrue(daemonOptions(archive, "mnt-cds-alone").contains("-XX:SharedArchiveFile=" + archive),
                "the base alone still maps its own");
    }

    /** The JVM options of a daemon started by the launcher with {@code archive} as its class data archive. */
    private String daemonOptions(Path archive, String mountPointName, String... arguments) throws Exception {
        return daemonOptions(archive, mountPointName, Map.of(), arguments);
    }

    private String daemonOptions(Path archive, String mountPointName, Map<String, String> environment,
            String... arguments) throws Exception {
        Path mountPoint = directory(mountPointName);
        // The launcher maps an archive only while it is newer than the installed jar; the tests run classes.
        Path jar = archive.resolveSibling("kmodpack.jar");
        Files.write(jar, new byte[0]);
        Files.setLastModifiedTime(jar, FileTime.fromMillis(0));
        Map<String, String> launcherEnvironment = new java.util.HashMap<>(environment);
        launcherEnvironment.putAll(Map.of("KMODPACK_CDS_ARCHIVE", archive.toString(), "KMODPACK_JAR", jar.toString()));
        List<String> command = new ArrayList<>(List.of("mount", bundle.toString(), mountPoint.toString(),
                "--allow-unsigned"));
        command.addAll(List.of(arguments));
        CliTest.Run mount = Launcher.script("kmodpack", launcherEnvironment, command.toArray(String[]::new));
        assertEquals(0, mount.exit(), mount.err());
        mounted.add(mountPoint);
        ProcessHandle daemon = daemon(mount);
        String options = commandLine(daemon);
        Unmount.unmount(mountPoint);
        daemon.onExit().get(30, TimeUnit.SECONDS);
        return options;
    }

    /** The signed bundle with one byte of its first data block flipped (block 0 starts after the header). */
    private static Path damagedCopy() throws IOException {
        Path damaged = work.resolve("damaged.kpack");
        Files.copy(signed, damaged, StandardCopyOption.REPLACE_EXISTING);
        Bytes.flip(damaged, Header.SIZE + 64, 0x10);
        return damaged;
    }

    /** {@code run} failed with {@code exit}, saying {@code reason}, and left nothing mounted at {@code mountPoint}. */
    private static void assertRefused(CliTest.Run run, int exit, String reason, Path mountPoint) throws IOException {
        assertEquals(exit, run.exit(), run.err());
        assertTrue(run.err().contains(reason), run.err());
        assertTrue(MountTable.at(mountPoint).isEmpty(), "nothing mounted at " + mountPoint);
    }

    private static Path directory(String name) throws IOException {
        return Files.createDirectories(work.resolve(name));
    }

    private static Path keygen(String name) {
        Path prefix = work.resolve(name);
        if (!Files.exists(work.resolve(name + ".key"))) {
            CliTest.Run keygen = CliTest.run("keygen", "-o", prefix.toString());
            assertEquals(0, keygen.exit(), keygen.err());
        }
        return prefix;
    }

    private ProcessHandle mount(Path bundlePath, Path mountPoint, String... options) throws Exception {
        List<String> arguments = new ArrayList<>(List.of("mount", bundlePath.toString(),
                mountPoint.toString(), "--allow-unsigned", "--log", work.resolve(mountPoint.getFileName() + ".log")
                        .toString()));
        arguments.addAll(List.of(options));
        CliTest.Run mount = Launcher.kmodpack(arguments.toArray(String[]::new));
        assertEquals(0, mount.exit(), mount.err());
        mounted.add(mountPoint);
        assertEquals(Optional.of(MountTable.TYPE), MountTable.typeAt(mountPoint));
        return daemon(mount);
    }

    private static ProcessHandle daemon(CliTest.Run mount) {
        Matcher pid = DAEMON_PID.matcher(mount.out());
        assertTrue(pid.find(), mount.out());
        return ProcessHandle.of(Long.parseLong(pid.group(1))).orElseThrow();
    }

    /**
     * A process's whole command line, from /proc: ProcessHandle.Info's stops at a page, and a daemon started with
     * the tests' class path has the bundle's path beyond it. Empty for a process that ended meanwhile.
     */
    private static String commandLine(ProcessHandle process) {
        try {
            return new String(Files.readAllBytes(Path.of("/proc", Long.toString(process.pid()), "cmdline")),
                    java.nio.charset.StandardCharsets.UTF_8).replace('\0', ' ');
        } catch (IOException e) {
            return "";
        }
    }
}
