package org.kmodpack.reader;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;

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
    private final ConcurrentHashMap<Integer, CompletableFuture<byte[]>> loading = new ConcurrentHashMap<>();
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
        return loading.containsKey(block);
    }

    byte[] get(int block, Loader loader) throws IOException {
        synchronized (blocks) {
            byte[] cached = blocks.get(block);
            if (cached != null) {
                return cached;
            }
        }
        CompletableFuture<byte[]> mine = new CompletableFuture<>();
        CompletableFuture<byte[]> running = loading.putIfAbsent(block, mine);
        if (running != null) {
            return await(running);
        }
        try {
            byte[] content = loader.load(block);
            put(block, content);
            mine.complete(content);
            return content;
        } catch (IOException | RuntimeException | Error e) {
            mine.completeExceptionally(e);
            throw e;
        } finally {
            loading.remove(block, mine);
        }
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

    private static byte[] await(CompletableFuture<byte[]> running) throws IOException {
        try {
            return running.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted while waiting for a block");
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof IOException io) {
                throw io;
            }
            if (cause instanceof RuntimeException runtime) {
                throw runtime;
            }
            throw (Error) cause;
        }
    }
}
