package org.kmodpack.reader;

/**
 * Told how far a long job over a bundle has got, in items (files, blocks) and bytes; called from the working
 * thread, so it should return quickly.
 */
@FunctionalInterface
public interface Progress {
    Progress NONE = (done, total, bytesDone, bytesTotal) -> { };

    void update(long done, long total, long bytesDone, long bytesTotal);
}
