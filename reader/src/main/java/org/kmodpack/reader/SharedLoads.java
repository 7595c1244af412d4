package org.kmodpack.reader;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;

/**
 * Loads of one key at the same time share a single load: the first caller runs it, the others wait for its bytes
 * (or its failure). A finished load is forgotten, so a failed one is tried again by the next caller.
 */
final class SharedLoads<K> {
    interface Load {
        byte[] run() throws IOException;
    }

    private final ConcurrentHashMap<K, CompletableFuture<byte[]>> running = new ConcurrentHashMap<>();

    /** Whether a load of {@code key} is under way. */
    boolean isLoading(K key) {
        return running.containsKey(key);
    }

    byte[] load(K key, Load load) throws IOException {
        CompletableFuture<byte[]> mine = new CompletableFuture<>();
        CompletableFuture<byte[]> other = running.putIfAbsent(key, mine);
        if (other != null) {
            return await(other);
        }
        try {
            byte[] bytes = load.run();
            mine.complete(bytes);
            return bytes;
        } catch (IOException | RuntimeException | Error e) {
            mine.completeExceptionally(e);
            throw e;
        } finally {
            running.remove(key, mine);
        }
    }

    private static byte[] await(CompletableFuture<byte[]> other) throws IOException {
        try {
            return other.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting for a block another reader loads");
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
