package org.kmodpack.packer;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.ar.ArArchiveEntry;
import org.apache.commons.compress.archivers.ar.ArArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;
import org.apache.commons.compress.compressors.zstandard.ZstdCompressorOutputStream;
import org.tukaani.xz.LZMA2Options;
import org.tukaani.xz.XZOutputStream;

/** Tar archives, their compressed forms and Debian packages, written by Commons Compress and XZ for Java. */
final class Archives {
    /** One tar member: {@code link} is a symlink's or hard link's target. */
    record Member(String name, byte type, int mode, long mtime, byte[] data, String link) {
        static Member directory(String name, int mode, long mtime) {
            return new Member(name, TarConstants.LF_DIR, mode, mtime, new byte[0], null);
        }

        static Member file(String name, int mode, long mtime, byte[] data) {
            return new Member(name, TarConstants.LF_NORMAL, mode, mtime, data, null);
        }

        static Member file(String name, String text) {
            return file(name, 0644, 1_700_000_000L, text.getBytes(StandardCharsets.UTF_8));
        }

        static Member symlink(String name, String target, long mtime) {
            return new Member(name, TarConstants.LF_SYMLINK, 0777, mtime, new byte[0], target);
        }

        static Member hardLink(String name, String target) {
            return new Member(name, TarConstants.LF_LINK, 0644, 1_700_000_000L, new byte[0], target);
        }

        static Member special(String name, byte type) {
            return new Member(name, type, 0644, 1_700_000_000L, new byte[0], null);
        }
    }

    enum Codec { NONE, GZIP, XZ, XZ_BLOCKS, ZSTD }

    private Archives() {
    }

    static byte[] tar(List<Member> members) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (TarArchiveOutputStream tar = tarStream(bytes)) {
            for (Member member : members) {
                write(tar, member);
            }
        }
        return bytes.toByteArray();
    }

    static TarArchiveOutputStream tarStream(OutputStream out) {
        TarArchiveOutputStream tar = new TarArchiveOutputStream(out, "UTF-8");
        tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
        tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
        return tar;
    }

    static void write(TarArchiveOutputStream tar, Member member) throws IOException {
        TarArchiveEntry entry = new TarArchiveEntry(member.name(), member.type(), true);
        entry.setMode(member.mode());
        entry.setModTime(FileTime.fromMillis(member.mtime() * 1000));
        entry.setUserId(0);
        entry.setGroupId(0);
        if (member.link() != null) {
            entry.setLinkName(member.link());
        }
        if (member.type() == TarConstants.LF_NORMAL) {
            entry.setSize(member.data().length);
        }
        tar.putArchiveEntry(entry);
        tar.write(member.data());
        tar.closeArchiveEntry();
    }

    /**
     * A tar of {@code root}'s lib/modules tree as dpkg-deb would hold it (./ prefixes, directories first, sorted),
     * leaving out the files {@code skipped} accepts (by name).
     */
    static byte[] tarOf(Path root, Predicate<String> skipped) throws IOException {
        return tarOf(root, "lib/modules", skipped);
    }

    /** As {@link #tarOf(Path, Predicate)}, of {@code root}'s {@code directory} tree (e.g. usr/lib/firmware). */
    static byte[] tarOf(Path root, String directory, Predicate<String> skipped) throws IOException {
        List<Path> paths = new ArrayList<>();
        try (Stream<Path> walk = Files.walk(root.resolve(directory))) {
            walk.filter(p -> !skipped.test(p.getFileName().toString())).sorted().forEach(paths::add);
        }
        List<Member> members = new ArrayList<>();
        for (Path path : paths) {
            String name = "./" + root.relativize(path);
            Map<String, Object> unix = Files.readAttributes(path, "unix:mode,lastModifiedTime",
                    LinkOption.NOFOLLOW_LINKS);
            int mode = (Integer) unix.get("mode") & 07777;
            long mtime = ((FileTime) unix.get("lastModifiedTime")).toMillis() / 1000;
            if (Files.isSymbolicLink(path)) {
                members.add(Member.symlink(name, Files.readSymbolicLink(path).toString(), mtime));
            } else if (Files.isDirectory(path, LinkOption.NOFOLLOW_LINKS)) {
                members.add(Member.directory(name + "/", mode, mtime));
            } else {
                members.add(Member.file(name, mode, mtime, Files.readAllBytes(path)));
            }
        }
        return tar(members);
    }

    static byte[] compress(byte[] tar, Codec codec) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        switch (codec) {
            case NONE -> bytes.writeBytes(tar);
            case GZIP -> {
                try (OutputStream out = new GzipCompressorOutputStream(bytes)) {
                    out.write(tar);
                }
            }
            case XZ -> {
                try (XZOutputStream out = new XZOutputStream(bytes, new LZMA2Options(1))) {
                    out.write(tar);
                }
            }
            case XZ_BLOCKS -> {
                // Independent blocks, as xz -T writes them and Debian's packages have them.
                try (XZOutputStream out = new XZOutputStream(bytes, new LZMA2Options(1))) {
                    int block = Math.max(4096, tar.length / 5);
                    for (int at = 0; at < tar.length; at += block) {
                        out.write(tar, at, Math.min(block, tar.length - at));
                        out.endBlock();
                    }
                }
            }
            case ZSTD -> {
                try (OutputStream out = new ZstdCompressorOutputStream(bytes)) {
                    out.write(tar);
                }
            }
        }
        return bytes.toByteArray();
    }

    /** A Debian binary package: debian-binary, control.tar.xz and {@code dataName} holding {@code data}. */
    static byte[] deb(String dataName, byte[] data) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        byte[] control = compress(tar(List.of(Member.file("./control", "Package: linux-image-test\n"))),
                Codec.XZ);
        try (ArArchiveOutputStream ar = new ArArchiveOutputStream(bytes)) {
            addAr(ar, "debian-binary", "2.0\n".getBytes(StandardCharsets.US_ASCII));
            addAr(ar, "control.tar.xz", control);
            addAr(ar, dataName, data);
        }
        return bytes.toByteArray();
    }

    private static void addAr(ArArchiveOutputStream ar, String name, byte[] data) throws IOException {
        ar.putArchiveEntry(new ArArchiveEntry(name, data.length, 0, 0, 0100644, 1_700_000_000L));
        ar.write(data);
        ar.closeArchiveEntry();
    }
}
