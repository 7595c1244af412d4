package org.kmodpack.packer;

/** Told how far packing has got; called from the packing thread, so it should return quickly. */
@FunctionalInterface
public interface PackProgress {
    PackProgress NONE = (filesDone, filesTotal, bytesDone, bytesTotal) -> { };

    void update(long filesDone, long filesTotal, long bytesDone, long bytesTotal);
}
