package org.kmodpack.reader;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.kmodpack.format.BlockIntegrityException;
import org.kmodpack.format.BlockLayout;
import org.kmodpack.format.BlockRecord;
import org.kmodpack.format.CorruptBundleException;
import org.kmodpack.format.EntryKind;
import org.kmodpack.format.EntryRecord;
import org.kmodpack.format.Header;
import org.kmodpack.format.IndexRegion;
import org.kmodpack.format.KernelSymbolSection;
import org.kmodpack.format.LayerSection;
import org.kmodpack.format.ModuleSection;
import org.kmodpack.format.Params;
import org.kmodpack.format.Sha256;
import org.kmodpack.format.SignatureBlock;
import org.kmodpack.format.Statement;
import org.kmodpack.format.TreeTable;

/**
 * An open bundle: the module tree of one kernel, read straight from the bundle file. Thread-safe: all
 * reads are positional and share only the block cache. Every block is checked against its SHA-256 each
 * time it is read from the file, before it is decompressed.
 */
public final class Bundle implements AutoCloseable {
    /** Default bound on decompressed blocks kept in memory. */
    public static final long DEFAULT_CACHE_BYTES = 64L << 20;

    private final String name;
    private final Header header;
    private final IndexRegion index;
    private final ByteSource source;
    private final BlockCache cache;
    private final SignatureBlock signatureBlock;
    private final Object modulesLock = new Object();
    private volatile Optional<ModuleSection> modules;
    /** The KERNEL_SYMBOLS section, decoded on first use (null until then); guarded by {@link #modulesLock}. */
    private Optional<KernelSymbolSection> kernelSymbols;

    /**
     * How long a block whose fetch failed fails again at once: the kernel reads a page again right after its
     * read-ahead failed, and a second wait for a server that just timed out would double the time to an error.
     */
    private static final long FAILED_FETCH_HOLD_NANOS = TimeUnit.SECONDS.toNanos(1);

    private record FailedFetch(long atNanos, SourceReadException cause) {
    }

    private final java.util.concurrent.ConcurrentHashMap<Integer, FailedFetch> failedFetches =
            new java.util.concurrent.ConcurrentHashMap<>();

    private final java.util.concurrent.atomic.AtomicInteger readsInProgress =
            new java.util.concurrent.atomic.AtomicInteger();
    private volatile long lastReadEndNanos = System.nanoTime();

    private Bundle(String name, Header header, IndexRegion index, ByteSource source, long cacheBytes,
            SignatureBlock signatureBlock) {
        this.name = name;
        this.header = header;
        this.index = index;
        this.source = source;
        this.cache = new BlockCache(cacheBytes);
        this.signatureBlock = signatureBlock;
    }

    /**
     * Opens {@code file} for inspection: the index, the statement and every block are checked against their
     * SHA-256 as above, but signatures are not; use {@link #open(Path, TrustPolicy)} before handing any of
     * its content to the system.
     */
    public static Bundle open(Path file) throws IOException {
        return open(file, DEFAULT_CACHE_BYTES);
    }

    /**
     * Opens {@code file} only if its signatures satisfy {@code policy} (otherwise throws
     * {@link SignatureRefusedException}); the index is checked at open and each block when it is read.
     */
    public static Bundle open(Path file, TrustPolicy policy) throws IOException {
        return open(file, policy, DEFAULT_CACHE_BYTES);
    }

    public static Bundle open(Path file, TrustPolicy policy, long cacheBytes) throws IOException {
        return checked(open(file, cacheBytes), policy);
    }

    /** The bundle if its signatures satisfy {@code policy}; otherwise closes it and throws. */
    private static Bundle checked(Bundle bundle, TrustPolicy policy) throws IOException {
        try {
            Verification verification = bundle.verifySignatures(policy);
            if (!verification.accepted()) {
                throw new SignatureRefusedException(bundle.name, verification.refusal().orElseThrow());
            }
            return bundle;
        } catch (IOException | RuntimeException | Error e) {
            bundle.close();
            throw e;
        }
    }

    /**
     * Opens {@code file}, reading only its header, index and signature block, checks the index against its
     * SHA-256 and that the signature block's statement describes exactly this file. Signatures are not checked.
     */
    public static Bundle open(Path file, long cacheBytes) throws IOException {
        return open(ByteSource.open(file), cacheBytes);
    }

    /**
     * As {@link #open(Path, long)}, from any source of the bundle's bytes; the bundle owns {@code source} and
     * closes it (also when opening fails).
     */
    public static Bundle open(ByteSource source, long cacheBytes) throws IOException {
        String name = source.name();
        try {
            long length = source.length();
            byte[] headerBytes = source.read(0, (int) Math.min(Header.SIZE, length));
            Header header = Header.decode(headerBytes, length, name);
            // The index and the signature block end the bundle: one request for a remote source.
            source.prefetch(header.indexOffset(), length - header.indexOffset());
            byte[] indexBytes = source.read(header.indexOffset(), (int) header.indexLength());
            if (!Arrays.equals(Sha256.of(indexBytes), header.indexSha256())) {
                throw new CorruptBundleException(name, "index fails its SHA-256 check");
            }
            IndexRegion index = IndexRegion.decode(ByteBuffer.wrap(indexBytes),
                    Header.SIZE, header.indexOffset(), name);
            SignatureBlock signatures = header.signatureLength() == 0 ? null
                    : readSignatureBlock(source, header, headerBytes, index, name);
            return new Bundle(name, header, index, source, cacheBytes, signatures);
        } catch (SourceReadException e) {
            source.close();
            throw new SourceReadException(name + ": cannot read its header and index: " + e.getMessage(), e);
        } catch (IOException | RuntimeException | Error e) {
            source.close();
            throw e;
        }
    }

    /** As {@link #open(Path, TrustPolicy, long)}, from any source of the bundle's bytes. */
    public static Bundle open(ByteSource source, TrustPolicy policy, long cacheBytes) throws IOException {
        return checked(open(source, cacheBytes), policy);
    }

    private static SignatureBlock readSignatureBlock(ByteSource source, Header header, byte[] headerBytes,
            IndexRegion index, String name) throws IOException {
        if (header.signatureLength() > SignatureBlock.MAX_LENGTH) {
            throw new CorruptBundleException(name, "signature block of " + header.signatureLength()
                    + " bytes is larger than the " + SignatureBlock.MAX_LENGTH + " allowed");
        }
        SignatureBlock block = SignatureBlock.decode(
                source.read(header.signatureOffset(), (int) header.signatureLength()), name);
        Statement actual = Statement.describe(headerBytes, index.params(), header.indexSha256(),
                header.signatureOffset(), 0, Statement.NEVER);
        if (!actual.describesSameContent(block.statement())) {
            throw new CorruptBundleException(name, "the signed statement does not describe this file: its "
                    + "header, index or length changed after signing");
        }
        return block;
    }

    /**
     * Whether the bundle is read over a network: each block is then fetched when first read (and checked then),
     * so a pass over every block, as {@link #verifyBlockHashes()}, downloads the whole bundle.
     */
    public boolean isRemote() {
        return source.isRemote();
    }

    /** Whether the bundle carries a signature block (whose signatures may or may not be trusted). */
    public boolean isSigned() {
        return signatureBlock != null;
    }

    /** The SHA-256 of the signed statement (what every signature signs), or empty if the bundle is unsigned. */
    public Optional<byte[]> statementSha256() {
        return signatureBlock == null ? Optional.empty() : Optional.of(Sha256.of(signatureBlock.statement().encode()));
    }

    /** Checks the signatures against {@code policy} and reports on each; never throws for a refusal. */
    public Verification verifySignatures(TrustPolicy policy) {
        return SignatureChecker.check(signatureBlock, policy);
    }

    public String kernelVersion() {
        return index.params().kernelVersion();
    }

    /** The decoded index: where each block and entry lies in the file, for tools that inspect the layout. */
    public IndexRegion index() {
        return index;
    }

    /**
     * The MODULES section (depmod's indexes and every module's modinfo), decoded and checked on first use;
     * empty when the tree had no depmod output when it was packed.
     */
    public Optional<ModuleSection> modules() throws CorruptBundleException {
        Optional<ModuleSection> decoded = modules;
        if (decoded == null) {
            synchronized (modulesLock) {
                decoded = modules;
                if (decoded == null) {
                    ByteBuffer section = index.modulesSection();
                    decoded = section == null ? Optional.empty() : Optional.of(ModuleSection.decode(section, name));
                    if (decoded.isPresent() && decoded.get().modinfoOffset() + decoded.get().modinfoLength()
                            > index.params().dataLength()) {
                        throw new CorruptBundleException(name, "the modinfo blob ends past the "
                                + index.params().dataLength() + "-byte data stream");
                    }
                    modules = decoded;
                }
            }
        }
        return decoded;
    }

    /**
     * The SHA-256 of the index, checked at open: it covers the tree, every block's SHA-256 and the kernel version,
     * so two bundles with the same index hold the same tree.
     */
    public byte[] indexSha256() {
        return header.indexSha256();
    }

    /**
     * The LAYER section when this bundle is a layer of extra modules, to be merged over a base bundle of its
     * kernel version; empty for a whole tree.
     */
    public Optional<LayerSection> layer() {
        return Optional.ofNullable(index.layer());
    }

    /**
     * The symbols the kernel image exports (format 1.4), recorded when the bundle was packed with System.map or
     * Module.symvers, decoded and checked on first use; empty when the packer was given neither.
     */
    public Optional<KernelSymbolSection> kernelSymbols() throws CorruptBundleException {
        synchronized (modulesLock) {
            if (kernelSymbols == null) {
                ByteBuffer section = index.kernelSymbolsSection();
                kernelSymbols = section == null ? Optional.empty()
                        : Optional.of(KernelSymbolSection.decode(section, name));
            }
            return kernelSymbols;
        }
    }

    /** Reads a module's modinfo record from the data stream (blocks verified and cached as for files). */
    public byte[] readModuleInfo(ModuleSection.InfoRef ref) throws IOException {
        ModuleSection section = modules().orElseThrow(() -> new IllegalStateException(name + " has no MODULES"));
        if (ref.offset() < section.modinfoOffset() || ref.length() < 0
                || ref.offset() + ref.length() > section.modinfoOffset() + section.modinfoLength()) {
            throw new IllegalArgumentException(ref + " is not inside the modinfo blob of " + name);
        }
        ByteBuffer out = ByteBuffer.allocate(ref.length());
        readStream(ref.offset(), ref.length(), "modinfo", out::put);
        return out.array();
    }

    public BundleInfo info() {
        Params params = index.params();
        int[] kinds = new int[EntryKind.values().length];
        long fileBytes = countKinds(index.tree(), kinds);
        int[] firmwareKinds = new int[EntryKind.values().length];
        long firmwareBytes = index.firmware() == null ? 0 : countKinds(index.firmware(), firmwareKinds);
        return new BundleInfo(header.majorVersion() + "." + header.minorVersion(), params.kernelVersion(),
                params.codec(), params.level(), params.blockSize(), params.blockCount(),
                kinds[EntryKind.DIRECTORY.ordinal()], kinds[EntryKind.FILE.ordinal()],
                kinds[EntryKind.SYMLINK.ordinal()], fileBytes, params.dataLength(), header.indexOffset() - Header.SIZE,
                header.indexLength(), header.bundleLength(), firmwareKinds[EntryKind.FILE.ordinal()]
                        + firmwareKinds[EntryKind.SYMLINK.ordinal()], firmwareBytes);
    }

    /** The data block that holds byte {@code position} of the file {@code file}, of either tree. */
    public int blockOf(Entry file, long position) {
        return index.blockLayout().blockAt(record(file).ref() + position);
    }

    /**
     * Whether every byte of data block {@code block} belongs to the firmware tree's files: no module file, and
     * not the modinfo that ends the data stream, has a byte in it. The packer writes the firmware after the
     * module files, so such a block is one a damaged copy of costs firmware only.
     */
    public boolean holdsFirmwareOnly(int block) {
        if (index.firmware() == null) {
            return false;
        }
        BlockLayout layout = index.blockLayout();
        long start = layout.start(block);
        long end = start + layout.contentSize(block);
        return start >= filesEnd(index.tree()) && end <= filesEnd(index.firmware());
    }

    /** Where the data of the tree's files ends in the data stream: the end of the last one. */
    private static long filesEnd(TreeTable table) {
        long end = 0;
        for (int i = 0; i < table.entryCount(); i++) {
            EntryRecord record = table.entry(i);
            if (record.kind() == EntryKind.FILE) {
                end = Math.max(end, record.ref() + record.size());
            }
        }
        return end;
    }

    /** Counts the tree's entries by kind into {@code kinds} (by ordinal); returns its files' total size. */
    private static long countKinds(TreeTable table, int[] kinds) {
        long fileBytes = 0;
        for (int i = 0; i < table.entryCount(); i++) {
            EntryRecord record = table.entry(i);
            kinds[record.kind().ordinal()]++;
            if (record.kind() == EntryKind.FILE) {
                fileBytes += record.size();
            }
        }
        return fileBytes;
    }

    /**
     * One of the bundle's trees and the number its root has among all the bundle's entries: the module
     * directory's entries come first, the firmware tree's after them.
     */
    private record Tree(TreeTable table, int first) {
    }

    private Tree modulesTree() {
        return new Tree(index.tree(), 0);
    }

    private Optional<Tree> firmwareTree() {
        return index.firmware() == null ? Optional.empty()
                : Optional.of(new Tree(index.firmware(), index.tree().entryCount()));
    }

    private Tree treeOf(Entry entry) {
        int at = entry.index();
        if (at >= 0 && at < index.tree().entryCount()) {
            return modulesTree();
        }
        Optional<Tree> firmware = firmwareTree();
        if (firmware.isPresent() && at >= firmware.get().first()
                && at - firmware.get().first() < firmware.get().table().entryCount()) {
            return firmware.get();
        }
        throw new IllegalArgumentException(entry.path() + " is not an entry of " + name);
    }

    public Entry root() {
        return entry(modulesTree(), 0, "");
    }

    /**
     * Looks up a path relative to the module directory; "" and "." name the module directory. Symlinks are
     * not followed, and '..' never leaves the tree: it finds nothing.
     */
    public Optional<Entry> find(String path) {
        return find(modulesTree(), path);
    }

    /** Whether the bundle carries a firmware tree (format 1.2). */
    public boolean hasFirmware() {
        return index.firmware() != null;
    }

    /** The root of the firmware tree (what /lib/firmware holds for this kernel), empty when there is none. */
    public Optional<Entry> firmwareRoot() {
        return firmwareTree().map(tree -> entry(tree, 0, ""));
    }

    /** As {@link #find}, in the firmware tree: a path relative to the firmware directory. */
    public Optional<Entry> findFirmware(String path) {
        return firmwareTree().flatMap(tree -> find(tree, path));
    }

    private Optional<Entry> find(Tree tree, String path) {
        int at = 0;
        StringBuilder canonical = new StringBuilder();
        for (String component : path.split("/")) {
            if (component.isEmpty() || component.equals(".")) {
                continue;
            }
            EntryRecord directory = tree.table().entry(at);
            if (directory.kind() != EntryKind.DIRECTORY || component.equals("..")) {
                return Optional.empty();
            }
            at = tree.table().findChild(directory, component.getBytes(StandardCharsets.UTF_8));
            if (at < 0) {
                return Optional.empty();
            }
            canonical.append(canonical.length() == 0 ? "" : "/").append(component);
        }
        return Optional.of(entry(tree, at, canonical.toString()));
    }

    public Entry get(String path) throws NoSuchFileException {
        return find(path).orElseThrow(() -> new NoSuchFileException(name + ": " + path, null,
                "no such file or directory in the bundle"));
    }

    /** The children of a directory (of either tree), sorted by name bytes. */
    public List<Entry> list(Entry directory) throws NotDirectoryException {
        Tree tree = treeOf(directory);
        EntryRecord record = record(directory);
        if (record.kind() != EntryKind.DIRECTORY) {
            throw new NotDirectoryException(name + ": " + directory.path());
        }
        List<Entry> children = new ArrayList<>((int) record.size());
        String prefix = directory.path().isEmpty() ? "" : directory.path() + "/";
        for (int c = (int) record.ref(); c < record.ref() + record.size(); c++) {
            EntryRecord child = tree.table().entry(c);
            children.add(entry(tree, c, child,
                    prefix + new String(tree.table().nameBytes(child), StandardCharsets.UTF_8)));
        }
        return children;
    }

    /** Every entry, parents before children, siblings sorted by name: the order the index stores them in. */
    public List<Entry> entries() {
        return entries(modulesTree());
    }

    /** As {@link #entries}, for the firmware tree; empty when there is none. */
    public List<Entry> firmwareEntries() {
        return firmwareTree().map(this::entries).orElse(List.of());
    }

    private List<Entry> entries(Tree tree) {
        int count = tree.table().entryCount();
        List<Entry> all = new ArrayList<>(count);
        String[] paths = new String[count];
        paths[0] = "";
        for (int i = 0; i < count; i++) {
            EntryRecord record = tree.table().entry(i);
            if (i > 0) {
                String parent = paths[record.parent()];
                String childName = new String(tree.table().nameBytes(record), StandardCharsets.UTF_8);
                paths[i] = parent.isEmpty() ? childName : parent + "/" + childName;
            }
            all.add(entry(tree, i, record, paths[i]));
        }
        return all;
    }

    /**
     * Reads file bytes starting at {@code position} into {@code destination}, as many as fit or as the file
     * has; returns the count, or -1 at or past the end of the file.
     */
    public int read(Entry file, long position, ByteBuffer destination) throws IOException {
        return read(file, position, destination.remaining(), destination::put);
    }

    /** Receives file bytes straight from a verified, decompressed block, which it must not keep or change. */
    @FunctionalInterface
    public interface BytesConsumer {
        void accept(byte[] bytes, int offset, int length) throws IOException;
    }

    /**
     * Hands up to {@code length} file bytes from {@code position} on to {@code consumer}, in pieces as the
     * blocks hold them, without an intermediate copy; returns the count, or -1 at or past the end of the file.
     */
    public int read(Entry file, long position, int length, BytesConsumer consumer) throws IOException {
        EntryRecord record = record(file);
        if (record.kind() != EntryKind.FILE) {
            throw new IOException(name + ": " + file.path() + " is not a regular file");
        }
        if (position < 0 || length < 0) {
            throw new IllegalArgumentException("negative position " + position + " or length " + length);
        }
        if (position >= record.size()) {
            return -1;
        }
        int wanted = (int) Math.min(length, record.size() - position);
        readsInProgress.incrementAndGet();
        try {
            readStream(record.ref() + position, wanted, file.path(), consumer);
        } finally {
            lastReadEndNanos = System.nanoTime();
            readsInProgress.decrementAndGet();
        }
        return wanted;
    }

    /**
     * How long no file has been read: 0 while a read is in progress. Background work that should give way to
     * readers, such as a mount's prefetch, waits until this has been quiet for a while.
     */
    public long nanosSinceLastRead() {
        return readsInProgress.get() > 0 ? 0 : System.nanoTime() - lastReadEndNanos;
    }

    /**
     * Whether {@link #readAhead} has anything to load for this position: the following block exists and is not
     * cached. Cheap enough to ask after every read, so that a caller hands work to its read-ahead thread only
     * when there is some.
     */
    public boolean readAheadWanted(Entry file, long position) {
        return followingUncachedBlock(file, position) >= 0;
    }

    /**
     * Loads into the block cache the block that follows the one holding {@code position} of the file, unless it
     * is cached already. Files are stored in path order, so a reader walking the tree reads blocks in order: a
     * caller that runs this on a thread of its own after each read decompresses the next block while it copies
     * this one.
     */
    public void readAhead(Entry file, long position) throws IOException {
        int next = followingUncachedBlock(file, position);
        if (next >= 0) {
            cache.get(next, b -> loadBlock(b, null));
        }
    }

    /** The block after the one holding {@code position} of the file, or -1 if there is none or it is cached. */
    private int followingUncachedBlock(Entry file, long position) {
        EntryRecord record = record(file);
        if (record.kind() != EntryKind.FILE || position < 0 || position > record.size()) {
            return -1;
        }
        if (record.ref() + position >= index.params().dataLength()) {
            return -1;
        }
        int next = blockOf(file, position) + 1;
        return next < index.params().blockCount() && !cache.holds(next) ? next : -1;
    }

    /** The numbers of the blocks holding a file's bytes, in order; none for an empty file or another entry. */
    public IntStream blocksHolding(Entry file) {
        EntryRecord record = record(file);
        if (record.kind() != EntryKind.FILE || record.size() == 0) {
            return IntStream.empty();
        }
        BlockLayout layout = index.blockLayout();
        return IntStream.rangeClosed(layout.blockAt(record.ref()),
                layout.blockAt(record.ref() + record.size() - 1));
    }

    /**
     * Fetches a block as a read would, checked against its signed SHA-256, into the source's own cache (a remote
     * bundle's block cache on disk), without decompressing it or taking room among the blocks kept in memory: a
     * later read of it then costs no round trip. Nothing is fetched for a block already in memory.
     */
    public void fetchBlock(int block) throws IOException {
        if (!cache.holds(block)) {
            storedBlock(block, null);
        }
    }

    /** Hands {@code wanted} bytes of the data stream from {@code logical} on to {@code consumer}, block by block. */
    private void readStream(long logical, int wanted, String path, BytesConsumer consumer) throws IOException {
        BlockLayout layout = index.blockLayout();
        int done = 0;
        while (done < wanted) {
            int block = layout.blockAt(logical);
            int offset = (int) (logical - layout.start(block));
            byte[] content = blockContent(block, path);
            int n = Math.min(wanted - done, content.length - offset);
            consumer.accept(content, offset, n);
            done += n;
            logical += n;
        }
    }

    public byte[] readAllBytes(Entry file) throws IOException {
        if (file.size() > Integer.MAX_VALUE - 8) {
            throw new IOException(name + ": " + file.path() + " is too large for one array");
        }
        ByteBuffer out = ByteBuffer.allocate((int) file.size());
        while (out.hasRemaining() && read(file, out.position(), out) > 0) {
            // each read fills as much as the file has left
        }
        return out.array();
    }

    public SeekableByteChannel newByteChannel(Entry file) throws IOException {
        if (!file.isFile()) {
            throw new IOException(name + ": " + file.path() + " is not a regular file");
        }
        return new EntryChannel(this, file);
    }

    public InputStream newInputStream(Entry file) throws IOException {
        return Channels.newInputStream(newByteChannel(file));
    }

    /** Checks every block against its SHA-256 and that it decompresses; throws at the first failure. */
    public void verifyBlocks() throws IOException {
        for (int block = 0; block < index.params().blockCount(); block++) {
            loadBlock(block, null);
        }
    }

    /**
     * Checks every block's stored bytes against its SHA-256 without decompressing them: with the index hash
     * checked at open and the statement matched, this checks every byte of the signed content. Throws
     * {@link BlockIntegrityException} at the first mismatch.
     */
    public void verifyBlockHashes() throws IOException {
        checkBlockHashes((block, matches) -> {
            if (!matches) {
                throw new BlockIntegrityException(name, block, null);
            }
        });
    }

    /** Told, block by block, whether a block's stored bytes match its SHA-256. */
    @FunctionalInterface
    public interface BlockHashCheck {
        void checked(int block, boolean matches) throws IOException;
    }

    /**
     * As {@link #verifyBlockHashes}, but goes on past a mismatch and tells {@code each} about every block, for
     * reports that list every damaged block. A block that cannot be read at all still throws.
     */
    public void checkBlockHashes(BlockHashCheck each) throws IOException {
        MessageDigest digest = Sha256.newDigest();
        for (int block = 0; block < index.params().blockCount(); block++) {
            BlockRecord record = index.block(block);
            try {
                if (source.isRemote()) {
                    // Through the source's block cache, which this pass then fills.
                    digest.update(source.readBlock(record.offset(), record.storedLength(), record.sha256()));
                } else {
                    source.digest(digest, record.offset(), record.storedLength());
                }
            } catch (SourceReadException e) {
                throw new SourceReadException(name + ": block " + block + ": " + e.getMessage(), e);
            }
            each.checked(block, MessageDigest.isEqual(digest.digest(), record.sha256()));
        }
    }

    @Override
    public void close() throws IOException {
        source.close();
    }

    @Override
    public String toString() {
        return name;
    }

    private byte[] blockContent(int block, String path) throws IOException {
        FailedFetch failed = failedFetches.get(block);
        if (failed != null && System.nanoTime() - failed.atNanos() < FAILED_FETCH_HOLD_NANOS) {
            throw new SourceReadException(failed.cause().getMessage(), failed.cause());
        }
        try {
            byte[] content = cache.get(block, b -> loadBlock(b, path));
            if (failed != null) {
                failedFetches.remove(block);
            }
            return content;
        } catch (SourceReadException e) {
            failedFetches.put(block, new FailedFetch(System.nanoTime(), e));
            throw e;
        }
    }

    private byte[] loadBlock(int block, String path) throws IOException {
        BlockRecord record = index.block(block);
        byte[] stored = storedBlock(block, path);
        int contentSize = index.blockLayout().contentSize(block);
        try {
            return Decompressor.decompress(record.codec(), stored, contentSize);
        } catch (Decompressor.Undecodable e) {
            throw new CorruptBundleException(name, "block " + block + " does not decompress ("
                    + record.codec().label() + ") to its " + contentSize + " bytes: " + e.getMessage());
        }
    }

    /** The stored bytes of a block from the source (or its cache), checked against the block's signed SHA-256. */
    private byte[] storedBlock(int block, String path) throws IOException {
        BlockRecord record = index.block(block);
        byte[] stored;
        try {
            stored = source.readBlock(record.offset(), record.storedLength(), record.sha256());
        } catch (SourceReadException e) {
            throw new SourceReadException(name + ": block " + block + (path == null ? "" : " (holding " + path + ")")
                    + ": " + e.getMessage(), e);
        }
        if (!Arrays.equals(Sha256.of(stored), record.sha256())) {
            throw new BlockIntegrityException(name, block, path);
        }
        return stored;
    }

    private EntryRecord record(Entry entry) {
        Tree tree = treeOf(entry);
        return tree.table().entry(entry.index() - tree.first());
    }

    private Entry entry(Tree tree, int i, String path) {
        return entry(tree, i, tree.table().entry(i), path);
    }

    /** The entry {@code i} of {@code tree}, numbered among all the bundle's entries. */
    private Entry entry(Tree tree, int i, EntryRecord record, String path) {
        String target = record.kind() == EntryKind.SYMLINK
                ? new String(tree.table().symlinkTarget(record), StandardCharsets.UTF_8)
                : null;
        return new Entry(tree.first() + i, path, record.kind(), record.mode(), record.uid(), record.gid(),
                mtime(record), record.kind() == EntryKind.DIRECTORY ? 0 : record.size(), record.inode(),
                tree.table().linkCount(record), target);
    }

    /**
     * The format allows any i64 of seconds, java.time only about +-3.2e16: beyond that the time is kept to
     * the second (FileTime holds any long of seconds) instead of failing every lookup of the entry.
     */
    private static FileTime mtime(EntryRecord record) {
        long seconds = record.mtimeSeconds();
        if (seconds < Instant.MIN.getEpochSecond() || seconds > Instant.MAX.getEpochSecond()) {
            return FileTime.from(seconds, TimeUnit.SECONDS);
        }
        return FileTime.from(Instant.ofEpochSecond(seconds, record.mtimeNanos()));
    }


}
