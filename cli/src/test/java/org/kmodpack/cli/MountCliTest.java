package org.kmodpack.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.kmodpack.fuse.MountTable;
import org.kmodpack.fuse.Unmount;
import org.kmodpack.testkernels.SyntheticKernel;
import org.kmodpack.testkernels.SyntheticKernels;
import org.kmodpack.testkernels.TestData;

/** The mount daemon's life: start, answer, stop on umount or SIGTERM, and recovery after kill -9. */
class MountCliTest {
    private static final Pattern DAEMON_PID = Pattern.compile("daemon pid (\\d+)");

    @TempDir
    static Path work;
    static Path bundle;
    Path mountPoint;

    @BeforeAll
    static void pack() throws IOException {
        if (!Files.exists(Path.of("/dev/fuse"))) {
            TestData.unavailable("/dev/fuse is missing: load the fuse module (modprobe fuse)");
        }
        bundle = work.resolve("basic.kpack");
        CliTest.Run pack = CliTest.run("pack", SyntheticKernels.moduleDir(SyntheticKernel.BASIC).toString(), "-o",
                bundle.toString());
        assertEquals(0, pack.exit(), pack.err());
    }

    @AfterEach
    void cleanUp() throws IOException {
        if (mountPoint != null) {
            Unmount.unmount(mountPoint);
        }
    }

    @Test
    void mountReturnsOnceTheTreeAnswersAndUmountRemovesIt() throws Exception {
        mountPoint = work.resolve("mnt-umount");
        ProcessHandle daemon = mount(mountPoint);
        assertTrue(Files.exists(mountPoint.resolve("modules.dep")));
        CliTest.Run umount = CliTest.run("umount", mountPoint.toString());
        assertEquals(0, umount.exit(), umount.err());
        assertTrue(MountTable.typeAt(mountPoint).isEmpty());
        assertTrue(daemon.onExit().get(10, TimeUnit.SECONDS) != null);
        CliTest.Run again = CliTest.run("umount", mountPoint.toString());
        assertEquals(1, again.exit());
        assertTrue(again.err().contains("nothing is mounted"), again.err());
    }

    @Test
    void mountingOverANonEmptyDirectorySaysWhatItHides() throws Exception {
        mountPoint = Files.createDirectories(work.resolve("mnt-busy"));
        Files.writeString(mountPoint.resolve("old-file"), "hidden while mounted");
        CliTest.Run mount = CliTest.run("mount", bundle.toString(), mountPoint.toString(), "--allow-unsigned",
                "--log", work.resolve("busy.log").toString());
        assertEquals(0, mount.exit(), mount.err());
        assertTrue(mount.err().contains("hides the 1 entries now in " + mountPoint), mount.err());
        assertFalse(Files.exists(mountPoint.resolve("old-file")));
        assertEquals(0, CliTest.run("umount", mountPoint.toString()).exit());
        assertEquals("hidden while mounted", Files.readString(mountPoint.resolve("old-file")));
    }

    @Test
    void sigtermUnmountsCleanly() throws Exception {
        mountPoint = work.resolve("mnt-term");
        ProcessHandle daemon = mount(mountPoint);
        daemon.destroy();
        daemon.onExit().get(10, TimeUnit.SECONDS);
        assertTrue(MountTable.typeAt(mountPoint).isEmpty(), "the daemon unmounted on SIGTERM");
    }

    @Test
    void umountClearsTheMountOfAKilledDaemon() throws Exception {
        mountPoint = work.resolve("mnt-kill");
        ProcessHandle daemon = mount(mountPoint);
        daemon.destroyForcibly();
        daemon.onExit().get(10, TimeUnit.SECONDS);
        assertTrue(MountTable.typeAt(mountPoint).isPresent(), "kill -9 leaves the dead mount behind");
        CliTest.Run umount = CliTest.run("umount", mountPoint.toString());
        assertEquals(0, umount.exit(), umount.err());
        assertTrue(MountTable.typeAt(mountPoint).isEmpty());
        assertTrue(Files.isDirectory(mountPoint), "the mount point is usable again");
    }

    @Test
    void refusalsSayWhy() throws IOException {
        CliTest.Run missing = CliTest.run("mount", work.resolve("missing.kpack").toString(),
                work.resolve("m1").toString(), "--allow-unsigned");
        assertEquals(1, missing.exit());
        assertTrue(missing.err().contains("missing.kpack"), missing.err());

        Path trusted = keygen("trusted");
        CliTest.Run unsigned = CliTest.run("mount", bundle.toString(), work.resolve("m2").toString(), "--trust",
                trusted + ".pub");
        assertEquals(1, unsigned.exit());
        assertTrue(unsigned.err().contains("basic.kpack") && unsigned.err().contains("unsigned"), unsigned.err());
        assertFalse(MountTable.typeAt(work.resolve("m2")).isPresent());

        Path stranger = keygen("stranger");
        Path signedByStranger = work.resolve("stranger.kpack");
        assertEquals(0, CliTest.run("pack", SyntheticKernels.moduleDir(SyntheticKernel.I686).toString(), "-o",
                signedByStranger.toString(), "--sign", stranger + ".key").exit());
        CliTest.Run untrusted = CliTest.run("mount", signedByStranger.toString(), work.resolve("m3").toString(),
                "--trust", trusted + ".pub", "--allow-unsigned");
        assertEquals(1, untrusted.exit(), "--allow-unsigned does not excuse a signature that fails --trust");
        assertTrue(untrusted.err().contains("stranger.kpack"), untrusted.err());
        assertFalse(MountTable.typeAt(work.resolve("m3")).isPresent());
    }

    @Test
    void aTimeoutThatIsNoTimeIsAUsageError() {
        Path target = work.resolve("m-timeout");
        CliTest.Run run = CliTest.run("mount", bundle.toString(), target.toString(), "--allow-unsigned",
                "--timeout", "0");
        assertEquals(2, run.exit());
        assertTrue(run.err().contains("--timeout must be a positive number of seconds"), run.err());
        assertFalse(Files.exists(target), "nothing was prepared for a mount that cannot start");
    }

    @Test
    void aBundleSignedByATrustedKeyMountsWithoutAllowUnsigned() throws Exception {
        Path key = keygen("release");
        Path signed = work.resolve("signed.kpack");
        assertEquals(0, CliTest.run("pack", SyntheticKernels.moduleDir(SyntheticKernel.I686).toString(), "-o",
                signed.toString(), "--sign", key + ".key").exit());
        mountPoint = work.resolve("mnt-signed");
        CliTest.Run mount = CliTest.run("mount", signed.toString(), mountPoint.toString(), "--trust", key + ".pub",
                "--log", work.resolve("signed.log").toString());
        assertEquals(0, mount.exit(), mount.err());
        assertTrue(Files.exists(mountPoint.resolve("modules.dep")));
    }

    private static Path keygen(String name) {
        Path prefix = work.resolve(name);
        if (!Files.exists(work.resolve(name + ".key"))) {
            CliTest.Run keygen = CliTest.run("keygen", "-o", prefix.toString());
            assertEquals(0, keygen.exit(), keygen.err());
        }
        return prefix;
    }

    private static ProcessHandle mount(Path mountPoint) throws IOException {
        CliTest.Run mount = CliTest.run("mount", bundle.toString(), mountPoint.toString(), "--allow-unsigned",
                "--log", work.resolve(mountPoint.getFileName() + ".log").toString());
        assertEquals(0, mount.exit(), mount.err());
        assertEquals("fuse.kmodpack", MountTable.typeAt(mountPoint).orElseThrow());
        Matcher pid = DAEMON_PID.matcher(mount.out());
        assertTrue(pid.find(), mount.out());
        return ProcessHandle.of(Long.parseLong(pid.group(1))).orElseThrow();
    }
}
