package org.kmodpack.fuse;

import java.io.IOException;
import java.util.List;
import java.util.Optional;
import org.kmodpack.reader.Bundle;
import org.kmodpack.reader.BundleInfo;
import org.kmodpack.reader.Entry;

/**
 * The tree a mount serves: one bundle's module directory or firmware ({@link #modulesOf}, {@link #firmwareOf}),
 * or a base and its layers as one tree ({@link UnionTree}). Every file's bytes come verified from the bundle that
 * holds them. Entries' inode numbers are unique within the tree.
 */
public interface ServedTree {
    /** The entry at {@code path}, relative to the tree's root ("" for the root). */
    Optional<Entry> find(String path) throws IOException;

    /** The children of a directory of this tree, sorted by name bytes. */
    List<Entry> list(Entry directory) throws IOException;

    /** As {@link Bundle#read(Entry, long, int, Bundle.BytesConsumer)}, for a file of this tree. */
    int read(Entry file, long position, int length, Bundle.BytesConsumer consumer) throws IOException;

    /** As {@link Bundle#readAheadWanted}: whether {@link #readAhead} has a block to load. */
    boolean readAheadWanted(Entry file, long position);

    /** As {@link Bundle#readAhead}. */
    void readAhead(Entry file, long position) throws IOException;

    /** What statfs reports: how many entries the tree has, and how many bytes of bundles hold it. */
    record Size(long entries, long storedBytes) {
    }

    Size size();

    /** One bundle's module directory. */
    static ServedTree modulesOf(Bundle bundle) {
        return new BundleTree(bundle, false);
    }

    /** One bundle's firmware tree, which the caller has checked it carries. */
    static ServedTree firmwareOf(Bundle bundle) {
        return new BundleTree(bundle, true);
    }

    /** One of a bundle's trees, as the bundle stores it. */
    final class BundleTree implements ServedTree {
        private final Bundle bundle;
        private final boolean firmware;
        private final Size size;

        private BundleTree(Bundle bundle, boolean firmware) {
            this.bundle = bundle;
            this.firmware = firmware;
            BundleInfo info = bundle.info();
            this.size = new Size(info.directories() + info.files() + info.symlinks(), info.bundleLength());
        }

        @Override
        public Optional<Entry> find(String path) {
            return firmware ? bundle.findFirmware(path) : bundle.find(path);
        }

        @Override
        public List<Entry> list(Entry directory) throws IOException {
            return bundle.list(directory);
        }

        @Override
        public int read(Entry file, long position, int length, Bundle.BytesConsumer consumer) throws IOException {
            return bundle.read(file, position, length, consumer);
        }

        @Override
        public boolean readAheadWanted(Entry file, long position) {
            return bundle.readAheadWanted(file, position);
        }

        @Override
        public void readAhead(Entry file, long position) throws IOException {
            bundle.readAhead(file, position);
        }

        @Override
        public Size size() {
            return size;
        }

        @Override
        public String toString() {
            return bundle.toString();
        }
    }
}
