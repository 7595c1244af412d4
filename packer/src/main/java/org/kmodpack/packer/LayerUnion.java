package org.kmodpack.packer;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.DigestInputStream;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Consumer;
import org.kmodpack.format.Codec;
import org.kmodpack.format.LayerSection;
import org.kmodpack.format.Sha256;
import org.kmodpack.modules.Depmod;
import org.kmodpack.modules.DepmodConfig;
import org.kmodpack.modules.DepmodCycleException;
import org.kmodpack.modules.DepmodOptions;
import org.kmodpack.modules.DirectoryModuleTree;
import org.kmodpack.modules.KmodProblem;
import org.kmodpack.reader.Bundle;
import org.kmodpack.reader.ByteSource;
import org.kmodpack.reader.Entry;
import org.kmodpack.reader.Extractor;
import org.kmodpack.reader.ForwardingByteSource;
import org.kmodpack.reader.Progress;

/**
 * A base bundle with layers over it, checked to fit together: every layer is a layer for the base's kernel version,
 * adds files without replacing any of the base's, and (unless shadowing is allowed) none of another layer's. The
 * union's modules.order is the base's, then each layer's (its own modules.order, else its modules in path order);
 * its depmod configuration is the layers' depmod.d files, read in name order as depmod reads a folder.
 */
public final class LayerUnion {
    private static final String ORDER_FILE = "modules.order";
    /** How many built unions the cache keeps: a system has one, and for a moment the next. */
    static final int KEPT_UNIONS = 2;
    private static final String UNION_SUFFIX = ".kpack";
    private static final String USED_SUFFIX = ".used";
    /** Where a mount keeps the index files it made for a union ({@link #keepIndexFiles}). */
    private static final String KEPT_INDEX_FILES = "union-index";
    private static final String KEPT_INDEX_HEADER = "kmodpack union index files 1";
    /** Changes when the same inputs would make another union, so that older cached unions are not used. */
    private static final int UNION_VERSION = 1;

    private final Bundle base;
    private final List<Bundle> layers;
    private final boolean allowShadow;
    /** Every file and symlink of the union, by path, with the bundle it comes from; in path order. */
    private final Map<String, Bundle> layerFiles;
    private final Map<String, LayerSection.ConfigFile> config;

    private LayerUnion(Bundle base, List<Bundle> layers, boolean allowShadow, Map<String, Bundle> layerFiles,
            Map<String, LayerSection.ConfigFile> config) {
        this.base = base;
        this.allowShadow = allowShadow;
        this.layers = layers;
        this.layerFiles = layerFiles;
        this.config = config;
    }

    /**
     * Checks that {@code layers}, in order, fit over {@code base}. {@code allowShadow}: a layer may replace a
     * file of an earlier layer (the later one wins), never one of the base.
     */
    public static LayerUnion of(Bundle base, List<Bundle> layers, boolean allowShadow) throws IOException {
        if (base.layer().isPresent()) {
            throw new IOException(base + ": is a layer, not a base; give the base bundle first and this one with "
                    + "--layer");
        }
        // Only the layers' paths are looked up in the base, never the base's thousands listed: a mount with layers
        // stays about as quick as one without.
        Map<String, Bundle> layerFiles = new TreeMap<>();
        Map<String, Bundle> directories = new LinkedHashMap<>();
        Map<String, LayerSection.ConfigFile> config = new TreeMap<>();
        Map<String, Bundle> configOrigins = new LinkedHashMap<>();
        for (Bundle layer : layers) {
            LayerSection section = layer.layer().orElseThrow(() -> new IOException(layer + ": is not a layer "
                    + "(pack extra modules with kmodpack pack DIR --layer --kernel-version KVER)"));
            if (!layer.kernelVersion().equals(base.kernelVersion())) {
                throw new IOException(layer + ": is a layer for kernel " + layer.kernelVersion() + ", not for the "
                        + "base's " + base.kernelVersion() + "; pack it again for " + base.kernelVersion());
            }
            for (Entry entry : layer.entries()) {
                if (entry.path().isEmpty()) {
                    continue;
                }
                Optional<Entry> inBase = base.find(entry.path());
                if (inBase.isPresent() && !(inBase.get().isDirectory() && entry.isDirectory())) {
                    throw new IOException(layer + ": replaces " + entry.path() + " of the base; a layer may only "
                            + "add files (override a base module from updates/ instead)");
                }
                Bundle file = layerFiles.get(entry.path());
                Bundle directory = directories.get(entry.path());
                if (entry.isDirectory() ? file != null : directory != null) {
                    throw new IOException(layer + ": has " + entry.path() + " as a "
                            + (entry.isDirectory() ? "directory" : "file") + " where " + (file != null ? file
                            : directory) + " has a " + (entry.isDirectory() ? "file" : "directory"));
                }
                if (entry.isDirectory()) {
                    directories.putIfAbsent(entry.path(), layer);
                } else {
                    if (file != null && !allowShadow) {
                        throw new IOException(layer + ": has " + entry.path() + ", as " + file + " does; drop one "
                                + "of the layers, or give --allow-shadow to let the later one win");
                    }
                    layerFiles.put(entry.path(), layer);
                }
            }
            for (LayerSection.ConfigFile file : section.config()) {
                Bundle earlier = configOrigins.put(file.name(), layer);
                if (earlier != null && !allowShadow) {
                    throw new IOException(layer + ": has depmod.d/" + file.name() + ", as " + earlier + " does; "
                            + "rename one, or give --allow-shadow to let the later one win");
                }
                config.put(file.name(), file);
            }
        }
        return new LayerUnion(base, List.copyOf(layers), allowShadow, Collections.unmodifiableMap(layerFiles),
                Collections.unmodifiableMap(config));
    }

    public String kernelVersion() {
        return base.kernelVersion();
    }

    /** The layer each file and symlink the layers bring to the union comes from, by path, in path order. */
    public Map<String, Bundle> layerFiles() {
        return layerFiles;
    }

    /** The union's modules.order: the base's (if it has one), then each layer's lines, layer after layer. */
    public byte[] modulesOrder() throws IOException {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        Optional<Entry> baseOrder = base.find(ORDER_FILE).filter(Entry::isFile);
        if (baseOrder.isPresent()) {
            out.writeBytes(base.readAllBytes(baseOrder.get()));
        }
        for (Bundle layer : layers) {
            out.writeBytes(layer.layer().orElseThrow().order());
        }
        return out.toByteArray();
    }

    /** The layers' depmod.d files, in the order depmod reads them (by name; a later layer's of the same name). */
    public List<DepmodConfig.ConfigText> depmodConfig() {
        List<DepmodConfig.ConfigText> files = new ArrayList<>();
        config.values().forEach(file -> files.add(new DepmodConfig.ConfigText(file.name(), file.text())));
        return files;
    }

    /** The mtime of the union's modules.order and index files: the base's modules.dep's, else its root's. */
    public FileTime indexTime() {
        return base.find("modules.dep").orElse(base.root()).lastModified();
    }

    /**
     * Writes the union into the empty or absent directory {@code moduleDirectory} and indexes it with our depmod,
     * so that it is the tree kmod's depmod leaves when run on the unpacked union with the layers' configuration.
     * A directory's metadata is the base's, else the last layer's that has it. modules.order and the index files
     * take the mtime of the base's modules.dep (of its root without one), so the same union is the same tree.
     */
    public void writeTo(Path moduleDirectory, Consumer<KmodProblem> problems) throws IOException {
        // Layers first, the later over the earlier, then the base, whose directories' metadata is restored last.
        for (Bundle layer : layers) {
            Extractor.extract(layer, moduleDirectory, List.of(), false);
        }
        Extractor.extract(base, moduleDirectory, List.of(), false);
        FileTime stamp = indexTime();
        FileTime rootTime = base.root().lastModified();
        writeFile(moduleDirectory.resolve(ORDER_FILE), modulesOrder(), stamp);
        DepmodConfig depmodConfig = DepmodConfig.parse(depmodConfig(), kernelVersion(), problems);
        Map<String, byte[]> index;
        try {
            index = Depmod.run(DirectoryModuleTree.scan(moduleDirectory, depmodConfig::excludes),
                    new DepmodOptions(depmodConfig, Optional.empty(), false), problems);
        } catch (DepmodCycleException cycle) {
            throw new IOException(base + " with its layers: modules depend on each other in a circle ("
                    + String.join("; ", cycle.cycles()) + "); drop the layer that closes it", cycle);
        }
        for (Map.Entry<String, byte[]> file : index.entrySet()) {
            writeFile(moduleDirectory.resolve(file.getKey()), file.getValue(), stamp);
        }
        setTime(moduleDirectory, rootTime);
    }

    private static void writeFile(Path file, byte[] contents, FileTime time) throws IOException {
        Files.deleteIfExists(file);
        Files.write(file, contents);
        if (file.getFileSystem().supportedFileAttributeViews().contains("posix")) {
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
        }
        setTime(file, time);
    }

    private static void setTime(Path path, FileTime time) throws IOException {
        Files.getFileAttributeView(path, BasicFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
                .setTimes(time, null, null);
    }

    /**
     * Packs the union into {@code output}: the tree {@link #writeTo} writes, staged in a temporary directory
     * beside {@code output} and removed afterwards, with the base's firmware.
     */
    public PackResult pack(Path output, PackOptions options, List<SigningKey> signers, StatementTerms terms,
            PackProgress progress, Consumer<KmodProblem> problems) throws IOException {
        Path parent = output.toAbsolutePath().getParent();
        Path staging = Files.createTempDirectory(parent, ".kmodpack-merge-");
        try {
            Path moduleDirectory = staging.resolve(kernelVersion());
            writeTo(moduleDirectory, problems);
            PackOptions unionOptions = options.withKernelVersion(kernelVersion());
            if (base.hasFirmware()) {
                // Layers carry no firmware: the union's is the base's, all of it.
                Path firmware = staging.resolve("firmware");
                Extractor.extractFirmware(base, firmware, List.of(), false, Progress.NONE);
                unionOptions = unionOptions.withFirmware(new FirmwareSelection(List.of(firmware), List.of(), true));
            }
            return Packer.pack(TreeSource.directory(moduleDirectory, kernelVersion()), output, unionOptions, signers,
                    terms, progress);
        } finally {
            deleteTree(staging);
        }
    }

    /**
     * The union as one bundle to look modules up in, named in messages as the base and its layers joined by '+'.
     * It is built once per distinct union and kept in {@code cacheDirectory}/unions, named by the SHA-256 of the
     * base's and the layers' index hashes (which cover every byte of their trees) and of the shadowing choice;
     * only the {@value #KEPT_UNIONS} most recently used are kept. The base and the layers must have been opened
     * (and their signatures checked) by the caller all the same: the cache only saves rebuilding what they make.
     */
    public Bundle open(Path cacheDirectory, Consumer<KmodProblem> problems) throws IOException {
        return open(build(cacheDirectory, problems));
    }

    /**
     * The file of the union in {@code cacheDirectory}/unions, built if it is not there, marked most recently used;
     * the others but the last used are removed. {@link #open(Path)} opens it. The mark is the time of a file
     * beside it ({@code KEY.used}), not the union's own: a union whose file is left as it is keeps the record of
     * its check (the mount daemon's checked bundles) from one mount to the next.
     */
    public Path build(Path cacheDirectory, Consumer<KmodProblem> problems) throws IOException {
        Path unions = Files.createDirectories(cacheDirectory.resolve("unions"));
        String key = HexFormat.of().formatHex(key());
        Path cached = unions.resolve(key + UNION_SUFFIX);
        if (!Files.isRegularFile(cached)) {
            // The packer stages the bundle beside its name and renames it there only when complete.
            pack(cached, PackOptions.defaults().withCodec(Codec.ZSTD, CompressionLevel.of(1)), List.of(),
                    StatementTerms.defaults(), PackProgress.NONE, problems);
        }
        Path used = unions.resolve(key + USED_SUFFIX);
        if (!Files.exists(used)) {
            Files.createFile(used);
        }
        Files.setLastModifiedTime(used, FileTime.fromMillis(System.currentTimeMillis()));
        evictAllBut(unions, cached);
        return cached;
    }

    /** The union built by {@link #build} into {@code cached}, named as the base and its layers. */
    public Bundle open(Path cached) throws IOException {
        StringBuilder name = new StringBuilder(base.toString());
        layers.forEach(layer -> name.append('+').append(layer));
        return Bundle.open(new NamedSource(ByteSource.open(cached), name.toString()), Bundle.DEFAULT_CACHE_BYTES);
    }

    /**
     * The union's modules.order and index files as a mount made them before ({@link #keepIndexFiles}), from
     * {@code cacheDirectory}/union-index, named by the union's key as a built union is; empty when none are kept
     * or what is kept does not read as written. Like a built union, they only save making them again: the base and
     * the layers are opened and checked all the same.
     */
    public Optional<Map<String, byte[]>> keptIndexFiles(Path cacheDirectory) {
        Path kept = keptIndexFile(cacheDirectory);
        MessageDigest digest = Sha256.newDigest();
        try (DataInputStream in = new DataInputStream(new DigestInputStream(
                new BufferedInputStream(Files.newInputStream(kept)), digest))) {
            long size = Files.size(kept);
            if (!in.readUTF().equals(KEPT_INDEX_HEADER)) {
                return Optional.empty();
            }
            Map<String, byte[]> files = new LinkedHashMap<>();
            for (int count = in.readInt(); files.size() < count;) {
                String name = in.readUTF();
                int length = in.readInt();
                if (length < 0 || length > size) {
                    return Optional.empty();
                }
                byte[] bytes = new byte[length];
                in.readFully(bytes);
                files.put(name, bytes);
            }
            byte[] computed = digest.digest();
            byte[] recorded = new byte[computed.length];
            in.readFully(recorded);
            // A file damaged on disk is made again, never served.
            return MessageDigest.isEqual(computed, recorded) && in.read() < 0 ? Optional.of(files)
                    : Optional.empty();
        } catch (IOException | RuntimeException unreadable) {
            return Optional.empty();
        }
    }

    /**
     * Whether a mount kept index files for this union in {@code cacheDirectory} ({@link #keepIndexFiles}), read
     * back or not: they may still turn out damaged ({@link #keptIndexFiles}).
     */
    public boolean hasKeptIndexFiles(Path cacheDirectory) {
        return Files.isRegularFile(keptIndexFile(cacheDirectory));
    }

    /** Where the index files made for this union are kept, named by its key. */
    public Path keptIndexFile(Path cacheDirectory) {
        return cacheDirectory.resolve(KEPT_INDEX_FILES).resolve(HexFormat.of().formatHex(key()));
    }

    /**
     * Keeps {@code files} (file name to bytes) for the next mount of this union, in place of those of any other;
     * written beside and renamed, so no reader sees part of them. Files that cannot be written (a read-only cache)
     * are only made again at the next mount.
     */
    public void keepIndexFiles(Path cacheDirectory, Map<String, byte[]> files) {
        try {
            Path directory = Files.createDirectories(cacheDirectory.resolve(KEPT_INDEX_FILES));
            Path kept = keptIndexFile(cacheDirectory);
            Path written = Files.createTempFile(directory, ".index", null);
            try {
                try (OutputStream file = new BufferedOutputStream(Files.newOutputStream(written))) {
                    MessageDigest digest = Sha256.newDigest();
                    DataOutputStream out = new DataOutputStream(new DigestOutputStream(file, digest));
                    out.writeUTF(KEPT_INDEX_HEADER);
                    out.writeInt(files.size());
                    for (Map.Entry<String, byte[]> made : files.entrySet()) {
                        out.writeUTF(made.getKey());
                        out.writeInt(made.getValue().length);
                        out.write(made.getValue());
                    }
                    out.flush();
                    file.write(digest.digest());
                }
                Files.move(written, kept, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } finally {
                Files.deleteIfExists(written);
            }
            try (DirectoryStream<Path> others = Files.newDirectoryStream(directory)) {
                for (Path other : others) {
                    if (!other.equals(kept) && !other.getFileName().toString().startsWith(".")) {
                        Files.deleteIfExists(other);
                    }
                }
            }
        } catch (IOException e) {
            // not kept: the next mount makes them again
        }
    }

    /** What makes the union: the trees of the base and the layers, in order, and whether shadowing was allowed. */
    private byte[] key() {
        MessageDigest digest = Sha256.newDigest();
        digest.update(("kmodpack union " + UNION_VERSION + (allowShadow ? " shadow\n" : "\n"))
                .getBytes(StandardCharsets.US_ASCII));
        digest.update(base.indexSha256());
        layers.forEach(layer -> digest.update(layer.indexSha256()));
        return digest.digest();
    }

    /** Removes all but the most recently used unions; one another process is reading stays readable until closed. */
    private static void evictAllBut(Path unions, Path current) throws IOException {
        List<Path> bundles = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(unions, "*" + UNION_SUFFIX)) {
            files.forEach(bundles::add);
        }
        bundles.remove(current);
        bundles.sort(Comparator.comparing(LayerUnion::lastUsed).reversed());
        for (Path old : bundles.subList(Math.min(bundles.size(), KEPT_UNIONS - 1), bundles.size())) {
            Files.deleteIfExists(old);
            Files.deleteIfExists(usedMark(old));
        }
    }

    /** When a cached union was last used: its mark's time, or its own for one cached without a mark. */
    private static FileTime lastUsed(Path union) {
        for (Path file : List.of(usedMark(union), union)) {
            try {
                return Files.getLastModifiedTime(file);
            } catch (IOException absent) {
                // the next one tells, or none: a union gone meanwhile is the least recently used
            }
        }
        return FileTime.fromMillis(0);
    }

    private static Path usedMark(Path union) {
        String name = union.getFileName().toString();
        return union.resolveSibling(name.substring(0, name.length() - UNION_SUFFIX.length()) + USED_SUFFIX);
    }

    /** A source named as the user knows it, not by the temporary file that holds it. */
    private static final class NamedSource extends ForwardingByteSource {
        private final String name;

        NamedSource(ByteSource source, String name) {
            super(source);
            this.name = name;
        }

        @Override
        public String name() {
            return name;
        }
    }

    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (var paths = Files.walk(root)) {
            for (Path path : paths.sorted(Collections.reverseOrder()).toList()) {
                if (!Files.isSymbolicLink(path)) {
                    path.toFile().setWritable(true);
                }
                Files.deleteIfExists(path);
            }
        }
    }
}
