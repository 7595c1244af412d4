package org.kmodpack.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.Set;
import org.kmodpack.format.IndexRegion;
import org.kmodpack.reader.Bundle;

/**
 * What a remote reader of bundle NEW fetches beyond its index when the block cache holds every block of bundle
 * OLD (the cache is keyed by SHA-256): the blocks of NEW whose hash OLD lacks. Prints NEW's block count, the count
 * and stored bytes of those blocks, and the number of the first of them, tab-separated.
 * Usage: SharedBlocks OLD NEW
 */
public final class SharedBlocks {
    private SharedBlocks() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 2) {
            System.err.println("usage: SharedBlocks OLD NEW");
            System.exit(2);
        }
        IndexRegion old = index(Path.of(args[0]));
        IndexRegion changed = index(Path.of(args[1]));
        Set<String> cached = new HashSet<>();
        for (int b = 0; b < old.params().blockCount(); b++) {
            cached.add(HexFormat.of().formatHex(old.block(b).sha256()));
        }
        int fetched = 0;
        long bytes = 0;
        int first = -1;
        for (int b = 0; b < changed.params().blockCount(); b++) {
            if (!cached.contains(HexFormat.of().formatHex(changed.block(b).sha256()))) {
                fetched++;
                bytes += changed.block(b).storedLength();
                first = first < 0 ? b : first;
            }
        }
        System.out.println(changed.params().blockCount() + "\t" + fetched + "\t" + bytes + "\t" + first);
    }

    static IndexRegion index(Path file) throws IOException {
        try (Bundle bundle = Bundle.open(file)) {
            return bundle.index();
        }
    }
}
