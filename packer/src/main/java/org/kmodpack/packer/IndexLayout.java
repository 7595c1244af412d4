package org.kmodpack.packer;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.kmodpack.format.BytePool;
import org.kmodpack.format.EntryRecord;

/** Turns scanned entries into ENTRIES rows and the NAMES pool, numbering inodes in entry order. */
record IndexLayout(List<EntryRecord> records, byte[] names) {

    static IndexLayout of(List<ScannedEntry> entries, ContentPlan plan) {
        BytePool pool = new BytePool();
        Map<Object, Integer> inodeOfLink = new HashMap<>();
        List<EntryRecord> records = new ArrayList<>(entries.size());
        int nextInode = 1;
        for (int i = 0; i < entries.size(); i++) {
            ScannedEntry entry = entries.get(i);
            int inode;
            if (entry.linkKey() != null) {
                Integer shared = inodeOfLink.get(entry.linkKey());
                inode = shared != null ? shared : nextInode++;
                inodeOfLink.putIfAbsent(entry.linkKey(), inode);
            } else {
                inode = nextInode++;
            }
            int nameOffset = i == 0 ? 0 : pool.add(entry.name());
            long size;
            long ref;
            switch (entry.kind()) {
                case DIRECTORY -> {
                    size = entry.childCount();
                    ref = entry.firstChild();
                }
                case SYMLINK -> {
                    byte[] target = entry.symlinkTarget().getBytes(StandardCharsets.UTF_8);
                    size = target.length;
                    ref = pool.add(target);
                }
                default -> {
                    size = entry.size();
                    ref = plan.offsetOf(i);
                }
            }
            records.add(new EntryRecord(nameOffset, entry.name().length, entry.kind(), entry.parent(), entry.mode(),
                    entry.uid(), entry.gid(), entry.mtimeSeconds(), entry.mtimeNanos(), inode, size, ref));
        }
        return new IndexLayout(records, pool.bytes());
    }
}
