package org.kmodpack.fuse;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.kmodpack.format.EntryKind;
import org.kmodpack.reader.Bundle;
import org.kmodpack.reader.BundleInfo;
import org.kmodpack.reader.Entry;

/**
 * A base and its layers served as one module directory (spec section 15.3), with no union bundle built: the
 * base's entries and the layers', each file read and verified from the bundle that brings it; a directory's
 * metadata the base's, else the last layer's that has it; and the files made for the union (its modules.order
 * and index files), held in memory, mode 0644, with the time given and the owner of the base's root. The caller
 * has checked that the layers fit the base ({@code LayerUnion}), and gives each layer's files by path.
 * The made files may still be being made: the tree is served meanwhile, and what asks for one of them waits.
 * Inode numbers: the base's as they are, each layer's after the previous bundle's, the made files' last.
 */
public final class UnionTree implements ServedTree {
    private static final int MADE_MODE = 0644;

    private final Bundle base;
    private final String name;
    /** The bundle of each file and symlink the layers bring, by path. */
    private final Map<String, Bundle> layerFiles;
    private final Map<Bundle, Integer> inodeOffsets = new IdentityHashMap<>();
    /** The union's entry of each directory a layer has (its link count counting every bundle's subdirectories). */
    private final Map<String, Entry> layerDirectories = new HashMap<>();
    /** Each layer's entries of its directories, by path: where a directory's children are listed from. */
    private final List<Map<String, Entry>> directoriesByLayer = new ArrayList<>();
    private final List<Bundle> layers;
    /** The made files' names, each with its inode number. */
    private final Map<String, Integer> madeInodes = new HashMap<>();
    private final CompletableFuture<Map<String, byte[]>> madeFiles;
    private final FileTime madeTime;
    private volatile Map<String, Entry> made;
    private final Size size;

    /**
     * {@code layerFiles}: the layer of each file and symlink the layers bring, by path (the later layer's where
     * shadowing let two have one); {@code madeFiles}: the files of the root, named {@code madeNames}, that replace
     * or add to the base's, when made.
     */
    public UnionTree(Bundle base, List<Bundle> layers, Map<String, Bundle> layerFiles, List<String> madeNames,
            CompletableFuture<Map<String, byte[]>> madeFiles, FileTime madeTime) throws IOException {
        this.base = base;
        this.layers = List.copyOf(layers);
        this.layerFiles = Map.copyOf(layerFiles);
        this.madeFiles = madeFiles;
        this.madeTime = madeTime;
        StringBuilder named = new StringBuilder(base.toString());
        layers.forEach(layer -> named.append('+').append(layer));
        this.name = named.toString();
        // Counted once: the base's info is counted from its whole tree.
        BundleInfo baseInfo = base.info();
        long count = baseInfo.directories() + baseInfo.files() + baseInfo.symlinks();
        long bytes = baseInfo.bundleLength();
        int offset = (int) count;
        for (Bundle layer : layers) {
            inodeOffsets.put(layer, offset);
            Map<String, Entry> directories = new HashMap<>();
            for (Entry entry : layer.entries()) {
                if (entry.isDirectory()) {
                    directories.put(entry.path(), entry);
                }
            }
            directoriesByLayer.add(directories);
            offset += layer.entries().size();
            count += layer.entries().size();
            bytes += layer.info().bundleLength();
        }
        for (String name : madeNames) {
            madeInodes.put(name, ++offset);
        }
        this.size = new Size(count + madeNames.size(), bytes);
        Set<String> paths = new HashSet<>();
        directoriesByLayer.forEach(directories -> paths.addAll(directories.keySet()));
        for (String path : paths) {
            layerDirectories.put(path, unionDirectory(path));
        }
    }

    /** The directory's entry: the base's, else the last layer's that has it; linked from each subdirectory. */
    private Entry unionDirectory(String path) throws IOException {
        Entry directory = base.find(path).orElseGet(() -> layerDirectory(path));
        Set<String> subdirectories = new HashSet<>();
        for (Entry child : listed(path)) {
            if (child.isDirectory()) {
                subdirectories.add(child.name());
            }
        }
        return new Entry(directory.index(), directory.path(), directory.kind(), directory.mode(), directory.uid(),
                directory.gid(), directory.lastModified(), directory.size(), directory.inode(), 2 + subdirectories.size(),
                directory.symlinkTarget());
    }

    /**
     * Waits until the made files are made; throws what kept them from being made. The tree answers for them only
     * then.
     */
    public void awaitMadeFiles() throws IOException {
        made();
    }

    private Map<String, Entry> made() throws IOException {
        Map<String, Entry> entries = made;
        if (entries == null) {
            Map<String, byte[]> files;
            try {
                files = madeFiles.join();
            } catch (CompletionException e) {
                throw e.getCause() instanceof UncheckedIOException unchecked ? unchecked.getCause()
                        : new IOException(this + ": making the union's index files failed: " + e.getCause(),
                                e.getCause());
            }
            Entry root = base.root();
            entries = new HashMap<>();
            for (Map.Entry<String, Integer> name : madeInodes.entrySet()) {
                entries.put(name.getKey(), new Entry(-1, name.getKey(), EntryKind.FILE, MADE_MODE, root.uid(),
                        root.gid(), madeTime, files.get(name.getKey()).length, name.getValue(), 1, null));
            }
            made = entries;
        }
        return entries;
    }

    @Override
    public Optional<Entry> find(String path) throws IOException {
        if (madeInodes.containsKey(path)) {
            return Optional.of(made().get(path));
        }
        Entry directory = layerDirectories.get(path);
        if (directory != null) {
            return Optional.of(directory);
        }
        Bundle layer = layerFiles.get(path);
        if (layer != null) {
            return layer.find(path).map(entry -> renumbered(layer, entry));
        }
        return base.find(path);
    }

    @Override
    public List<Entry> list(Entry directory) throws IOException {
        if (!layerDirectories.containsKey(directory.path())) {
            // Only the base has it: no layer file lies below it.
            return base.list(directory);
        }
        return List.copyOf(children(directory.path()).values());
    }

    /** The children the base and the layers list in a directory, as each lists them. */
    private List<Entry> listed(String path) throws IOException {
        List<Entry> listed = new ArrayList<>();
        Optional<Entry> inBase = base.find(path).filter(Entry::isDirectory);
        if (inBase.isPresent()) {
            listed.addAll(base.list(inBase.get()));
        }
        for (int i = 0; i < layers.size(); i++) {
            Entry inLayer = directoriesByLayer.get(i).get(path);
            if (inLayer != null) {
                listed.addAll(layers.get(i).list(inLayer));
            }
        }
        return listed;
    }

    /** The union's children of a directory some layer has, by name bytes. */
    private Map<String, Entry> children(String path) throws IOException {
        Set<String> names = new HashSet<>();
        listed(path).forEach(child -> names.add(child.name()));
        if (path.isEmpty()) {
            names.addAll(madeInodes.keySet());
        }
        Map<String, Entry> children = new TreeMap<>((a, b) -> Arrays.compareUnsigned(
                a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8)));
        String prefix = path.isEmpty() ? "" : path + "/";
        for (String child : names) {
            String childPath = prefix + child;
            children.put(child, find(childPath).orElseThrow());
        }
        return children;
    }

    /** The last layer's entry of a directory only layers have. */
    private Entry layerDirectory(String path) {
        for (int i = layers.size() - 1; i >= 0; i--) {
            Entry entry = directoriesByLayer.get(i).get(path);
            if (entry != null) {
                return renumbered(layers.get(i), entry);
            }
        }
        return null;
    }

    @Override
    public int read(Entry file, long position, int length, Bundle.BytesConsumer consumer) throws IOException {
        if (!madeInodes.containsKey(file.path())) {
            return bundleOf(file).read(file, position, length, consumer);
        }
        made();
        byte[] bytes = madeFiles.join().get(file.path());
        if (position >= bytes.length) {
            return -1;
        }
        int count = (int) Math.min(length, bytes.length - position);
        consumer.accept(bytes, (int) position, count);
        return count;
    }

    @Override
    public boolean readAheadWanted(Entry file, long position) {
        return !madeInodes.containsKey(file.path()) && bundleOf(file).readAheadWanted(file, position);
    }

    @Override
    public void readAhead(Entry file, long position) throws IOException {
        if (!madeInodes.containsKey(file.path())) {
            bundleOf(file).readAhead(file, position);
        }
    }

    private Bundle bundleOf(Entry file) {
        return layerFiles.getOrDefault(file.path(), base);
    }

    private Entry renumbered(Bundle layer, Entry entry) {
        return new Entry(entry.index(), entry.path(), entry.kind(), entry.mode(), entry.uid(), entry.gid(),
                entry.lastModified(), entry.size(), entry.inode() + inodeOffsets.get(layer),
                entry.linkCount(), entry.symlinkTarget());
    }

    @Override
    public Size size() {
        return size;
    }

    @Override
    public String toString() {
        return name;
    }
}
