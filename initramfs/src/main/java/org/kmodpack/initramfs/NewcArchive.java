package org.kmodpack.initramfs;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Set;
import org.apache.commons.compress.archivers.cpio.CpioArchiveEntry;
import org.apache.commons.compress.archivers.cpio.CpioArchiveOutputStream;
import org.apache.commons.compress.archivers.cpio.CpioConstants;

/**
 * A newc cpio as the kernel unpacks an initramfs: each file after its parent directories, root-owned, mtime 0
 * and inodes numbered in writing order, so equal input gives equal bytes.
 */
final class NewcArchive implements AutoCloseable {
    private final CpioArchiveOutputStream cpio;
    private final Set<String> directories = new HashSet<>();
    private long inode = 1;

    NewcArchive(OutputStream out) {
        this.cpio = new CpioArchiveOutputStream(new NonClosing(out), CpioConstants.FORMAT_NEW);
    }

    /** A regular file, mode 0644; its directories (0755) are written first, once. */
    void file(String path, byte[] content) throws IOException {
        directoriesOf(path);
        put(path, CpioConstants.C_ISREG | 0644, content);
    }

    /** A symlink to {@code target}, kept verbatim (the link's content is its target, as cpio stores it). */
    void symlink(String path, String target) throws IOException {
        directoriesOf(path);
        put(path, CpioConstants.C_ISLNK | 0777, target.getBytes(StandardCharsets.UTF_8));
    }

    private void directoriesOf(String path) throws IOException {
        int slash = path.indexOf('/');
        while (slash > 0) {
            String dir = path.substring(0, slash);
            if (directories.add(dir)) {
                put(dir, CpioConstants.C_ISDIR | 0755, new byte[0]);
            }
            slash = path.indexOf('/', slash + 1);
        }
    }

    private void put(String name, int mode, byte[] content) throws IOException {
        CpioArchiveEntry entry = new CpioArchiveEntry(CpioConstants.FORMAT_NEW, name);
        entry.setMode(mode);
        entry.setInode(inode++);
        entry.setNumberOfLinks((mode & CpioConstants.C_ISDIR) != 0 ? 2 : 1);
        entry.setTime(0);
        entry.setSize(content.length);
        cpio.putArchiveEntry(entry);
        cpio.write(content);
        cpio.closeArchiveEntry();
    }

    /** Writes the trailer; the stream given stays open for the caller (a compressor to finish). */
    @Override
    public void close() throws IOException {
        cpio.close();
    }

    private static final class NonClosing extends java.io.FilterOutputStream {
        NonClosing(OutputStream out) {
            super(out);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
        }

        @Override
        public void close() throws IOException {
            flush();
        }
    }
}
