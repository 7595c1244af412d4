package org.kmodpack.fuse;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Consumer;
import java.util.function.Predicate;
import jnr.ffi.Pointer;
import jnr.ffi.types.off_t;
import jnr.ffi.types.size_t;
import org.kmodpack.format.BlockIntegrityException;
import org.kmodpack.reader.Entry;
import ru.serce.jnrfuse.ErrorCodes;
import ru.serce.jnrfuse.FuseFillDir;
import ru.serce.jnrfuse.FuseStubFS;
import ru.serce.jnrfuse.struct.FileStat;
import ru.serce.jnrfuse.struct.FuseFileInfo;
import ru.serce.jnrfuse.struct.Statvfs;
import ru.serce.jnrfuse.struct.Timespec;

/**
 * A served tree (a bundle's module directory or firmware, or a base with its layers) as a read-only FUSE file
 * system. Every callback catches everything: jffi reports an exception escaping a callback to the kernel as
 * success, and a failed read would become a read of zeros.
 * open answers ENOSYS: the kernel then stops sending OPEN and RELEASE for the life of the mount (Linux 3.14
 * "no_open"), which saves two round trips per file. The mount is ro, so the kernel refuses opens for writing
 * itself, and no per-open state exists to set up or free. (opendir must not do the same: libfuse 2's readdir
 * needs the handle its opendir makes, and crashes without it.)
 */
final class BundleFileSystem extends FuseStubFS {
    private static final int BLOCK = 4096;

    private final ServedTree tree;
    private final String subtype;
    private final Consumer<String> log;
    private final CountDownLatch initialised = new CountDownLatch(1);
    private final Set<String> reportedDamage = ConcurrentHashMap.newKeySet();
    /** One thread decompresses the next block while the FUSE thread answers the kernel. */
    private final ExecutorService readAhead = Executors.newSingleThreadExecutor(runnable -> {
        Thread thread = new Thread(runnable, "kmodpack-read-ahead");
        thread.setDaemon(true);
        return thread;
    });

    BundleFileSystem(ServedTree tree, String subtype, Consumer<String> log) {
        this.tree = tree;
        this.subtype = subtype;
        this.log = log;
    }

    /** libfuse's subtype: the kernel shows the mount's type as "fuse." and this. */
    String subtype() {
        return subtype;
    }

    /** Counts down once libfuse has the session running: the mount is in place from then on. */
    CountDownLatch initialised() {
        return initialised;
    }

    @Override
    protected String getFSName() {
        return "kmodpack";
    }

    @Override
    public Pointer init(Pointer conn) {
        initialised.countDown();
        return null;
    }

    @Override
    public int getattr(String path, FileStat stat) {
        try {
            Entry entry = find(path);
            int type = entry.isDirectory() ? FileStat.S_IFDIR : entry.isSymlink() ? FileStat.S_IFLNK : FileStat.S_IFREG;
            stat.st_mode.set(type | entry.mode());
            stat.st_nlink.set(entry.linkCount());
            stat.st_uid.set(entry.uid());
            stat.st_gid.set(entry.gid());
            stat.st_size.set(entry.isDirectory() ? BLOCK : entry.size());
            stat.st_blksize.set(BLOCK);
            stat.st_blocks.set((entry.size() + 511) / 512);
            stat.st_ino.set(entry.inode());
            setTime(stat.st_mtim, entry);
            setTime(stat.st_ctim, entry);
            setTime(stat.st_atim, entry);
            return 0;
        } catch (Throwable t) {
            return failed("getattr", path, t);
        }
    }

    @Override
    public int readlink(String path, Pointer buf, @size_t long size) {
        try {
            Entry link = find(path, Entry::isSymlink, ErrorCodes.EINVAL());
            byte[] target = link.symlinkTarget().getBytes(StandardCharsets.UTF_8);
            // readlink(2) truncates silently; libfuse wants a NUL-terminated string that fits the buffer.
            int n = (int) Math.min(target.length, size - 1);
            buf.put(0, target, 0, n);
            buf.putByte(n, (byte) 0);
            return 0;
        } catch (Throwable t) {
            return failed("readlink", path, t);
        }
    }

    @Override
    public int readdir(String path, Pointer buf, FuseFillDir filler, @off_t long offset, FuseFileInfo fi) {
        try {
            List<Entry> children = tree.list(find(path, Entry::isDirectory, ErrorCodes.ENOTDIR()));
            filler.apply(buf, ".", null, 0);
            filler.apply(buf, "..", null, 0);
            for (Entry child : children) {
                if (filler.apply(buf, child.name(), null, 0) != 0) {
                    return -ErrorCodes.ENOMEM();
                }
            }
            return 0;
        } catch (Throwable t) {
            return failed("readdir", path, t);
        }
    }

    @Override
    public int open(String path, FuseFileInfo fi) {
        return -ErrorCodes.ENOSYS();
    }

    @Override
    public int read(String path, Pointer buf, @size_t long size, @off_t long offset, FuseFileInfo fi) {
        try {
            Entry entry = find(path, Entry::isFile, ErrorCodes.EISDIR());
            if (offset >= entry.size()) {
                return 0;
            }
            // Exactly the bytes asked for, except at the end of the file: the kernel zero-fills a short read.
            int wanted = (int) Math.min(size, entry.size() - offset);
            // Straight from the verified block into libfuse's buffer: one copy.
            int[] filled = {0};
            tree.read(entry, offset, wanted, (bytes, from, length) -> {
                buf.put(filled[0], bytes, from, length);
                filled[0] += length;
            });
            long end = offset + filled[0];
            if (tree.readAheadWanted(entry, end)) {
                readAhead.execute(() -> {
                    try {
                        tree.readAhead(entry, end);
                    } catch (IOException | RuntimeException e) {
                        // The read that needs that block loads it again and reports what goes wrong.
                    }
                });
            }
            return filled[0];
        } catch (BlockIntegrityException e) {
            if (reportedDamage.add(path)) {
                log.accept("kmodpack: read of /" + relative(path) + " refused: " + e.getMessage());
            }
            return -ErrorCodes.EIO();
        } catch (Throwable t) {
            return failed("read", path, t);
        }
    }

    @Override
    public int statfs(String path, Statvfs stbuf) {
        try {
            stbuf.f_bsize.set(BLOCK);
            stbuf.f_frsize.set(BLOCK);
            stbuf.f_blocks.set((tree.size().storedBytes() + BLOCK - 1) / BLOCK);
            stbuf.f_bfree.set(0);
            stbuf.f_bavail.set(0);
            stbuf.f_files.set(tree.size().entries());
            stbuf.f_ffree.set(0);
            stbuf.f_favail.set(0);
            stbuf.f_namemax.set(255);
            return 0;
        } catch (Throwable t) {
            return failed("statfs", path, t);
        }
    }

    /** The entry at {@code path}; refused with ENOENT where there is none. */
    private Entry find(String path) throws IOException, Refusal {
        return tree.find(relative(path)).orElseThrow(() -> new Refusal(ErrorCodes.ENOENT()));
    }

    /** The entry at {@code path}, which the operation needs to be of {@code kind}; refused with {@code otherKind}. */
    private Entry find(String path, Predicate<Entry> kind, int otherKind) throws IOException, Refusal {
        Entry entry = find(path);
        if (!kind.test(entry)) {
            throw new Refusal(otherKind);
        }
        return entry;
    }

    /** An operation's answer that is not a failure to log: the errno libfuse gets back, negated. */
    private static final class Refusal extends Exception {
        private final int errno;

        Refusal(int errno) {
            super(null, null, false, false);
            this.errno = errno;
        }
    }

    private static String relative(String path) {
        return path.startsWith("/") ? path.substring(1) : path;
    }

    private static void setTime(Timespec time, Entry entry) {
        long nanos = entry.lastModified().to(java.util.concurrent.TimeUnit.NANOSECONDS);
        time.tv_sec.set(Math.floorDiv(nanos, 1_000_000_000L));
        time.tv_nsec.set(Math.floorMod(nanos, 1_000_000_000L));
    }

    /** What libfuse gets for an operation that did not succeed: a refusal's errno, or EIO with one log line. */
    private int failed(String operation, String path, Throwable t) {
        if (t instanceof Refusal refusal) {
            return -refusal.errno;
        }
        log.accept("kmodpack: " + operation + " " + path + " failed: " + t);
        return -ErrorCodes.EIO();
    }
}
