package org.kmodpack.reader;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Least-recently-used cache of verified, decompressed blocks, bounded in bytes. Concurrent readers of one
 * block share a single load, so sixteen readers of a cold block decompress it once. Failed loads are not
 * cached: the next read verifies the stored bytes again.
 */
final class BlockCache {
    interface Loader {
        byte[] load(int block) throws IOException;
    }

    private final long capacityBytes;
    private final Map<Integer, byte[]> blocks = new LinkedHashMap<>(64, 0.75f, true);
    private final SharedLoads<Integer> loading = new SharedLoads<>();
    private long sizeBytes;

    BlockCache(long capacityBytes) {
        this.capacityBytes = capacityBytes;
    }

    /** Whether the block is cached or being loaded. */
    boolean holds(int block) {
        synchronized (blocks) {
            if (blocks.containsKey(block)) {
                return true;
            }
        }
        return loading.isLoading(block);
    }

    byte[] get(int block, Loader loader) throws IOException {
        synchronized (blocks) {
            byte[] cached = blocks.get(block);
            if (cached != null) {
                return cached;
            }
        }
        return loading.load(block, () -> {
            byte[] content = loader.load(block);
            put(block, content);
            return content;
        });
    }

    private void put(int block, byte[] content) {
        synchronized (blocks) {
            if (blocks.put(block, content) == null) {
                sizeBytes += content.length;
            }
            var eldest = blocks.entrySet().iterator();
            while (sizeBytes > capacityBytes && blocks.size() > 1 && eldest.hasNext()) {
                sizeBytes -= eldest.next().getValue().length;
                eldest.remove();
            }
        }
    }
}
