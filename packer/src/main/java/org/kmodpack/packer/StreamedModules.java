package org.kmodpack.packer;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import org.kmodpack.format.EntryKind;
import org.kmodpack.modules.ModuleFacts;

/**
 * The module files of an archive's module directory, compressed as they stream out of the archive: each goes into
 * the data stream in archive order the moment it has been read (a kernel package lists its tree directory by
 * directory, close to path order), and what depmod and the module scan need of it is read on {@code readers}
 * meanwhile. Nothing but that is kept of a module, so the tree is never held in memory and compressing overlaps
 * decoding the archive. Only the first module directory's files are taken: an archive with a second one is
 * refused unless --kernel-version chose, and then the other's files never reach this.
 */
final class StreamedModules implements ArchiveTree.ModuleFileSink {
    /** Where a taken file lies in the data stream, and what is being read of it. */
    private record Placed(long offset, long size, Future<ModuleFacts> facts) {
    }

    private final BlockWriter blocks;
    private final ExecutorService readers;
    private final Map<String, Placed> placed = new HashMap<>();
    private String directory;
    private long length;

    StreamedModules(BlockWriter blocks, ExecutorService readers) {
        this.blocks = blocks;
        this.readers = readers;
    }

    @Override
    public boolean take(String directory, String relative, long size, InputStream contents) throws IOException {
        if (this.directory == null) {
            this.directory = directory;
        } else if (!this.directory.equals(directory)) {
            return false;
        }
        if (size > Integer.MAX_VALUE - 8) {
            throw new IOException(directory + "/" + relative + ": " + size + " bytes, more than a module file holds");
        }
        byte[] raw = new byte[(int) size];
        contents.readNBytes(raw, 0, raw.length);
        if (size > 0) {
            blocks.append(relative, raw, 0, raw.length);
        }
        placed.put(relative, new Placed(size > 0 ? length : 0, size,
                readers.submit(() -> ModuleFacts.read(relative, raw))));
        length += size;
        return true;
    }

    @Override
    public ModuleFacts facts(String relative) throws IOException {
        Placed file = placed.get(relative);
        if (file == null) {
            return null;
        }
        try {
            return file.facts().get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while reading " + relative);
        } catch (ExecutionException e) {
            throw new IOException(relative + ": reading it as a module failed: " + e.getCause(), e.getCause());
        }
    }

    /** Where the data stream ends after the taken files. */
    long length() {
        return length;
    }

    /** Where the taken file {@code relative} lies in the data stream; null for a file not taken. */
    Long offset(String relative) {
        Placed file = placed.get(relative);
        return file == null ? null : file.offset();
    }

    /**
     * The entries a scan of the archive's tree found, the taken files (empty in the tree) and their other hard-linked
     * names given the sizes they had in the archive.
     */
    List<ScannedEntry> withSizes(List<ScannedEntry> entries) {
        Map<Object, Long> sizeOfLink = new HashMap<>();
        for (ScannedEntry entry : entries) {
            Placed file = entry.kind() == EntryKind.FILE ? placed.get(entry.path()) : null;
            if (file != null && entry.linkKey() != null) {
                sizeOfLink.put(entry.linkKey(), file.size());
            }
        }
        List<ScannedEntry> sized = new ArrayList<>(entries.size());
        for (ScannedEntry e : entries) {
            Placed file = e.kind() == EntryKind.FILE ? placed.get(e.path()) : null;
            Long size = file != null ? Long.valueOf(file.size())
                    : e.kind() == EntryKind.FILE && e.linkKey() != null ? sizeOfLink.get(e.linkKey()) : null;
            sized.add(size == null ? e : new ScannedEntry(e.source(), e.path(), e.name(), e.kind(), e.parent(),
                    e.firstChild(), e.childCount(), e.mode(), e.uid(), e.gid(), e.mtimeSeconds(), e.mtimeNanos(),
                    size, e.linkKey(), e.symlinkTarget(), e.stamp()));
        }
        return sized;
    }
}
