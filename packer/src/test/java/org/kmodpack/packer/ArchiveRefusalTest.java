package org.kmodpack.packer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.kmodpack.packer.Archives.Codec;
import org.kmodpack.packer.Archives.Member;

/**
 * Hostile and damaged archives: each is refused with one line that names the archive and the member (or the
 * codec stream that does not decode), before anything is packed.
 */
class ArchiveRefusalTest {
    private static final String DIR = "./lib/modules/6.1.0-archive/";

    @TempDir
    Path work;

    private static List<Member> with(Member... extra) {
        List<Member> members = new ArrayList<>(ArchiveTreeTest.tree());
        members.addAll(List.of(extra));
        return members;
    }

    @Test
    void hostileMembersAreRefusedNamingThem() throws IOException {
        assertRefused(with(Member.file(DIR + "kernel/../../../../etc/passwd", "root")),
                DIR + "kernel/../../../../etc/passwd: a member name with '..'");
        assertRefused(with(Member.file("./usr/../../etc/passwd", "root")), "./usr/../../etc/passwd: a member name");
        assertRefused(with(Member.file("/lib/modules/6.1.0-archive/kernel/x.ko", "x")),
                "/lib/modules/6.1.0-archive/kernel/x.ko: an absolute member name");
        assertRefused(with(Member.special(DIR + "kernel/console", TarConstants.LF_CHR)),
                DIR + "kernel/console: a device;");
        assertRefused(with(Member.special(DIR + "kernel/sda", TarConstants.LF_BLK)), DIR + "kernel/sda: a device;");
        assertRefused(with(Member.special(DIR + "kernel/pipe", TarConstants.LF_FIFO)), DIR + "kernel/pipe: a FIFO;");
        assertRefused(with(Member.hardLink(DIR + "kernel/d.ko", DIR + "kernel/missing.ko")),
                DIR + "kernel/d.ko: a hard link to " + DIR + "kernel/missing.ko, which is not a file stored before it");
        assertRefused(with(Member.hardLink(DIR + "kernel/d.ko", "./boot/vmlinuz-6.1.0-archive")),
                DIR + "kernel/d.ko: a hard link to ./boot/vmlinuz-6.1.0-archive, which is not");
        assertRefused(with(Member.file(DIR + "kernel/run.sh", "again")), DIR + "kernel/run.sh: appears twice");
        assertRefused(with(Member.directory(DIR + "kernel/", 0755, 1)), DIR + "kernel/: appears twice");
        assertRefused(with(Member.file(DIR + "kernel/suid", 04755, 1, new byte[1])),
                DIR + "kernel/suid: mode 4755 has set-ID or sticky bits");
        assertRefused(with(Member.file(DIR + "build/Makefile", "all:")),
                DIR + "build/Makefile: lies below lib/modules/6.1.0-archive/build, a symlink in the archive");
    }

    @Test
    void archivesWithoutOneModuleTreeAreRefused() throws IOException {
        assertRefused(List.of(Member.file("./etc/passwd", "root")), "holds no lib/modules/KVER or "
                + "usr/lib/modules/KVER directory");
        assertRefused(List.of(Member.file(DIR + "README", "no modules here")),
                "lib/modules/6.1.0-archive: not a module tree (no modules.dep and no module file");
        Path text = Files.writeString(work.resolve("notes.txt"), "just some text\n".repeat(100));
        IOException refused = assertThrows(IOException.class, () -> ArchiveTree.open(text, null));
        assertEquals(text + ": not a Debian package or a tar archive (plain, xz, zstd or gzip); name a kernel "
                + "package (.deb), a tar of a module tree, or a module directory", refused.getMessage());
        Path empty = Files.write(work.resolve("empty.tar"), new byte[0]);
        assertTrue(assertThrows(IOException.class, () -> ArchiveTree.open(empty, null)).getMessage()
                .startsWith(empty + ": not a Debian package or a tar archive"));
    }

    @Test
    void truncatedArchivesOfEveryCodecAreRefused() throws IOException {
        byte[] tar = Archives.tar(ArchiveTreeTest.tree());
        for (Codec codec : Codec.values()) {
            byte[] whole = Archives.compress(tar, codec);
            byte[] deb = Archives.deb("data.tar", whole);
            for (int cut : new int[] {whole.length / 3, whole.length * 2 / 3, whole.length - 1}) {
                assertDamaged(codec + ".tar", Arrays.copyOf(whole, cut));
                // ar pads a member of odd length with one byte.
                int debCut = deb.length - (whole.length & 1) - (whole.length - cut);
                assertDamaged(codec + ".deb", Arrays.copyOf(deb, debCut));
            }
        }
        // A plain tar cut between two members reads as a shorter archive to tar readers: the missing
        // end-of-archive records give it away.
        List<Member> members = ArchiveTreeTest.tree();
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        long lastMember;
        try (TarArchiveOutputStream out = Archives.tarStream(bytes)) {
            for (Member member : members.subList(0, members.size() - 1)) {
                Archives.write(out, member);
            }
            lastMember = out.getBytesWritten();
            Archives.write(out, members.get(members.size() - 1));
        }
        assertDamaged("between.tar", Arrays.copyOf(bytes.toByteArray(), (int) lastMember));
    }

    @Test
    void corruptArchivesOfEveryCodecAreRefused() throws IOException {
        byte[] tar = Archives.tar(ArchiveTreeTest.tree());
        for (Codec codec : new Codec[] {Codec.GZIP, Codec.XZ, Codec.XZ_BLOCKS, Codec.ZSTD}) {
            byte[] whole = Archives.compress(tar, codec);
            for (int at : new int[] {whole.length / 4, whole.length / 2, whole.length * 3 / 4}) {
                byte[] damaged = whole.clone();
                damaged[at] ^= 0x55;
                assertDamaged(codec + "-" + at + ".tar", damaged);
                assertDamaged(codec + "-" + at + ".deb", Archives.deb("data.tar", damaged));
            }
        }
        byte[] header = tar.clone();
        header[150] ^= 0x01;
        assertDamaged("header.tar", header);
    }

    /**
     * A tar bomb of 10^6 empty files: inside a module directory it is refused at the 200,001st member; outside,
     * its members are skipped as they stream by and counted, nothing of them kept.
     */
    @Test
    void tarBombsAreRefusedOrSkippedInBoundedMemory() throws Exception {
        IOException refused = assertThrows(IOException.class,
                () -> readBomb(DIR + "bomb/f", 1_000_000).close());
        // The tree's own 8 members in the module directory come first.
        assertEquals("bomb.tar: " + DIR + "bomb/f" + (ArchiveTree.MAX_ENTRIES - 8) + ": more than 200000 members in "
                + "module directories, which no kernel has; this is not a module tree", refused.getMessage());
        try (ArchiveTree tree = readBomb("./bomb/f", 1_000_000)) {
            assertEquals(1_000_000 + 7, tree.ignoredMembers());
        }
    }

    private static ArchiveTree readBomb(String prefix, int count) throws Exception {
        PipedInputStream in = new PipedInputStream(1 << 16);
        PipedOutputStream out = new PipedOutputStream(in);
        Thread writer = new Thread(() -> {
            try (TarArchiveOutputStream tar = Archives.tarStream(out)) {
                for (Member member : ArchiveTreeTest.tree()) {
                    Archives.write(tar, member);
                }
                for (int i = 0; i < count; i++) {
                    Archives.write(tar, Member.file(prefix + i, 0644, 1, new byte[0]));
                }
            } catch (IOException readerStopped) {
                // The reader refused the archive and closed the pipe.
            }
        }, "tar-bomb-writer");
        writer.setDaemon(true);
        writer.start();
        try {
            return ArchiveTree.read(in, "bomb.tar", null);
        } finally {
            in.close();
            writer.join(60_000);
            assertFalse(writer.isAlive());
        }
    }

    @Test
    void sourcesThatAreNotModuleTreesAreRefusedNamingThem() throws IOException {
        IOException empty = assertThrows(IOException.class, () -> TreeSource.of(Path.of(""), null));
        assertTrue(empty.getMessage().startsWith("SOURCE is empty (\"\")"), empty.getMessage());
        Path etc = Files.createDirectories(work.resolve("etc/ssh"));
        Files.writeString(etc.resolve("sshd_config"), "PermitRootLogin no\n");
        IOException notModules = assertThrows(IOException.class, () -> TreeSource.of(work.resolve("etc"), null));
        assertTrue(notModules.getMessage().startsWith(work.resolve("etc") + ": not a module tree (no modules.dep "
                + "and no module file"), notModules.getMessage());
        Files.write(etc.resolve("x.ko.xz"), new byte[1]);
        try (TreeSource tree = TreeSource.of(work.resolve("etc"), null)) {
            assertEquals("etc", tree.kernelVersion());
        }
    }

    private void assertRefused(List<Member> members, String expected) throws IOException {
        Path archive = Files.write(work.resolve("refused.tar"), Archives.tar(members));
        IOException refused = assertThrows(IOException.class, () -> ArchiveTree.open(archive, null).close(),
                expected);
        String message = refused.getMessage();
        assertTrue(message.startsWith(archive + ": ") && message.contains(expected) && !message.contains("\n"),
                message);
        assertEquals(message, packStreamedRefused(archive).getMessage(), "packed as it streams");
    }

    /** Packing the archive as it streams fails as reading it does, and leaves nothing where the bundle would go. */
    private IOException packStreamedRefused(Path archive) throws IOException {
        Path destination = Files.createDirectories(work.resolve("bundles"));
        IOException refused = assertThrows(IOException.class, () -> Packer.packArchive(archive,
                version -> destination.resolve("modules-" + version + ".kpack"), PackOptions.defaults(), List.of(),
                StatementTerms.defaults(), PackProgress.NONE, tree -> { }));
        try (var left = Files.list(destination)) {
            assertEquals(List.of(), left.toList(), "no partial bundle");
        }
        return refused;
    }

    private void assertDamaged(String name, byte[] bytes) throws IOException {
        Path archive = Files.write(work.resolve(name), bytes);
        IOException refused = assertThrows(IOException.class, () -> ArchiveTree.open(archive, null).close(), name);
        String message = refused.getMessage();
        assertTrue(message.startsWith(archive + ": ") && message.contains("truncated or corrupt")
                && !message.contains("\n"), message);
        assertEquals(message, packStreamedRefused(archive).getMessage(), "packed as it streams");
    }
}
