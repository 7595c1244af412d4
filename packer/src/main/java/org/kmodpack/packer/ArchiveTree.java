package org.kmodpack.packer;

import com.google.common.jimfs.Configuration;
import com.google.common.jimfs.Jimfs;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.ReadableByteChannel;
import java.nio.file.FileSystem;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.kmodpack.modules.Depmod;
import org.kmodpack.modules.DepmodCycleException;
import org.kmodpack.modules.DepmodOptions;
import org.kmodpack.modules.DirectoryModuleTree;
import org.kmodpack.modules.KmodProblem;
import org.kmodpack.modules.ModuleFacts;
import org.kmodpack.modules.ModuleTree;
import org.kmodpack.modules.ModuleNames;

/**
 * The module directory of a kernel package (.deb) or of a tar archive (plain, xz, zstd or gzip), read as one
 * stream: nothing is unpacked to disk and no external tool runs. The members under lib/modules/KVER or
 * usr/lib/modules/KVER are held in memory (an in-memory file system the packer reads like a directory) with
 * the modes, modification times, symlinks and hard links the archive records; ownership is not kept (every
 * entry is root's, as in an installed module tree). Members outside a module directory are skipped and counted.
 * When the tree has no modules.dep, kmodpack's {@link Depmod} writes the index files into it, with mode 0644
 * and the modification time SOURCE_DATE_EPOCH, else the newest of the module directory's members.
 *
 * <p>A kernel package's boot/System.map-KVER is kept too, wherever it lies in the stream ({@link #systemMap}): the
 * kernel's exported symbols, which the packer records.
 *
 * <p>{@link #firmware} reads a firmware package's lib/firmware or usr/lib/firmware the same way.
 *
 * <p>Hostile archives are refused with the member named: a name with '..' or an absolute one, a device or FIFO,
 * a hard link to nothing stored before it, a member that appears twice, set-ID bits, more than
 * {@link #MAX_ENTRIES} members or more file bytes than half the Java heap in module directories, and truncated
 * or corrupt data of any codec (the tar's end-of-archive records and every codec check are required).
 */
public final class ArchiveTree implements TreeSource {
    private static final String SYSTEM_MAP_PREFIX = "boot/System.map-";
    /** A kernel's module tree has a few thousand entries (Debian's generic 6.1 kernel 4,100). */
    static final int MAX_ENTRIES = 200_000;
    /** The bytes of files an archive's tree may hold in memory: half the Java heap. */
    private static final long BYTE_LIMIT = Runtime.getRuntime().maxMemory() / 2;
    private static final int TAR_RECORD = 512;

    /**
     * Which directories of an archive are read: those at one of {@code parents}, one level further down when
     * {@code versioned} (lib/modules/KVER); {@code what} is what messages call such a directory.
     */
    private record Layout(String[][] parents, boolean versioned, String what) {
        static final Layout MODULES = new Layout(new String[][] {{"lib", "modules"}, {"usr", "lib", "modules"}},
                true, "module directory");
        static final Layout FIRMWARE = new Layout(new String[][] {{"lib", "firmware"}, {"usr", "lib", "firmware"}},
                false, "firmware directory");

        /** How many leading segments name the directory a member lies in; 0 for a member outside every one. */
        int depth(List<String> segments) {
            for (String[] parent : parents) {
                int depth = parent.length + (versioned ? 1 : 0);
                if (segments.size() >= depth && segments.subList(0, parent.length).equals(List.of(parent))) {
                    return depth;
                }
            }
            return 0;
        }
    }

    private final FileSystem memory;
    private final Path moduleDirectory;
    private final String directoryName;
    private final String kernelVersion;
    private final long ignoredMembers;
    private final Optional<FileTime> indexTime;
    private final List<KmodProblem> indexProblems;
    private final Optional<SystemMap> systemMap;

    private ArchiveTree(FileSystem memory, Path moduleDirectory, String directoryName, long ignoredMembers,
            Optional<FileTime> indexTime, List<KmodProblem> indexProblems, Optional<SystemMap> systemMap) {
        this.memory = memory;
        this.moduleDirectory = moduleDirectory;
        this.directoryName = directoryName;
        this.kernelVersion = moduleDirectory.getFileName().toString();
        this.ignoredMembers = ignoredMembers;
        this.indexTime = indexTime;
        this.indexProblems = indexProblems;
        this.systemMap = systemMap;
    }

    /** Reads the archive file {@code archive}; an xz-compressed tar in it is decoded on every core. */
    public static ArchiveTree open(Path archive, String kernelVersion) throws IOException {
        return open(archive, Layout.MODULES, kernelVersion);
    }

    /**
     * The firmware directory of the firmware package (.deb, such as Debian's firmware-linux-free) or tar archive
     * {@code archive}: its lib/firmware or usr/lib/firmware (then {@link #moduleDirectory}), in memory until the
     * tree is closed.
     */
    static ArchiveTree firmware(Path archive) throws IOException {
        return open(archive, Layout.FIRMWARE, null);
    }

    private static ArchiveTree open(Path archive, Layout layout, String kernelVersion) throws IOException {
        return open(archive, layout, kernelVersion, null);
    }

    /**
     * As {@link #open(Path, String)}, the module files of the module directory handed to {@code sink} as they
     * stream by rather than held: the tree holds each as an empty file of its mode and time, and our depmod
     * takes what it needs of them from the sink ({@link ModuleFileSink#facts}).
     */
    static ArchiveTree open(Path archive, String kernelVersion, ModuleFileSink sink) throws IOException {
        return open(archive, Layout.MODULES, kernelVersion, sink);
    }

    /** As {@link #read(InputStream, String, String)}, the module files handed to {@code sink} as in {@link #open}. */
    static ArchiveTree read(InputStream in, String name, String kernelVersion, ModuleFileSink sink)
            throws IOException {
        return read(ArchiveStreams.open(name, in, null, 1), Layout.MODULES, kernelVersion, sink);
    }

    private static ArchiveTree open(Path archive, Layout layout, String kernelVersion, ModuleFileSink sink)
            throws IOException {
        try (FileChannel file = FileChannel.open(archive, StandardOpenOption.READ);
                InputStream in = Files.newInputStream(archive)) {
            return read(ArchiveStreams.open(archive.toString(), in, file, Runtime.getRuntime().availableProcessors()),
                    layout, kernelVersion, sink);
        }
    }

    /**
     * What {@code sink} read of the module file at {@code path} in the module directory {@code directory}, or of
     * the file a symlink there leads to (depmod and modules.dep name a linked module by the link); null when the
     * sink took no such file.
     */
    static ModuleFacts factsOf(ModuleFileSink sink, Path directory, String path) {
        try {
            return sink.facts(directory.relativize(directory.resolve(path).toRealPath()).toString());
        } catch (IOException unresolved) {
            return null;
        }
    }

    /** Takes the module files of an archive's module directory as they stream by, in place of the tree. */
    interface ModuleFileSink {
        /**
         * Takes the file {@code relative} of {@code size} bytes in the module directory {@code directory} (as the
         * archive names it), reading all of it from {@code contents}; false leaves it to the tree (a file of a
         * second module directory, which the archive is refused for unless --kernel-version chose one).
         */
        boolean take(String directory, String relative, long size, InputStream contents) throws IOException;

        /** What was read of the taken module file {@code relative}; null for a file not taken. */
        ModuleFacts facts(String relative) throws IOException;
    }

    /**
     * Reads an archive from a stream (a pipe: {@code kmodpack pack -}); {@code name} is what errors call it.
     * {@code kernelVersion} chooses the module directory when the archive holds several (null: the only one).
     */
    public static ArchiveTree read(InputStream in, String name, String kernelVersion) throws IOException {
        return read(ArchiveStreams.open(name, in, null, 1), Layout.MODULES, kernelVersion, null);
    }

    @Override
    public Path moduleDirectory() {
        return moduleDirectory;
    }

    @Override
    public String kernelVersion() {
        return kernelVersion;
    }

    /** The module directory as the archive names it: lib/modules/KVER or usr/lib/modules/KVER. */
    public String directoryName() {
        return directoryName;
    }

    /** Members outside the module directory, which are not packed. */
    public long ignoredMembers() {
        return ignoredMembers;
    }

    @Override
    public void close() throws IOException {
        memory.close();
    }

    /** Present when the archive had no modules.dep: the newest member's time, or SOURCE_DATE_EPOCH. */
    @Override
    public Optional<FileTime> indexTime() {
        return indexTime;
    }

    @Override
    public List<KmodProblem> indexProblems() {
        return indexProblems;
    }

    /** The package's boot/System.map-KVER for the module directory's KVER, wherever it lies in the archive. */
    @Override
    public Optional<SystemMap> systemMap() {
        return systemMap;
    }

    private static ArchiveTree read(ArchiveStreams.TarStream stream, Layout layout, String kernelVersion,
            ModuleFileSink sink) throws IOException {
        // Room for the index files depmod adds; the limit on the archive's files is the loader's, with its words.
        FileSystem memory = Jimfs.newFileSystem(Configuration.unix().toBuilder()
                .setAttributeViews("basic", "owner", "posix").setMaxSize(BYTE_LIMIT + (256L << 20)).build());
        try (InputStream tar = stream.tar()) {
            return new Loader(memory, stream.label(), layout, kernelVersion, sink).load(tar);
        } catch (IOException | RuntimeException failed) {
            memory.close();
            throw failed;
        }
    }

    /** A refusal of the archive's contents. */
    private static final class Refused extends IOException {
        Refused(String message) {
            super(message);
        }
    }

    /** Bytes that do not decode: a cut, a damaged codec stream or tar header. */
    private static final class Damaged extends IOException {
        Damaged(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private static final class Loader {
        private final FileSystem memory;
        private final String label;
        private final Layout layout;
        private final String wantedVersion;
        /** Module directories found, by their name in the archive, with their members' newest time. */
        private final Map<String, FileTime> newestByDirectory = new TreeMap<>();
        private final Set<String> stored = new HashSet<>();
        private final Map<String, FileTime> directoryTimes = new HashMap<>();
        private long ignored;
        /**
         * Each boot/System.map-KVER of a kernel package by KVER, kept while the archive streams by: it may come
         * before or after the module directory that says which KVER is packed.
         */
        private final Map<String, byte[]> systemMaps = new HashMap<>();
        private long bytes;
        private String member;
        private final ModuleFileSink sink;

        Loader(FileSystem memory, String label, Layout layout, String wantedVersion, ModuleFileSink sink) {
            this.memory = memory;
            this.label = label;
            this.layout = layout;
            this.wantedVersion = wantedVersion;
            this.sink = sink;
        }

        ArchiveTree load(InputStream tarBytes) throws IOException {
            EndCheckingInputStream checked = new EndCheckingInputStream(tarBytes);
            TarArchiveInputStream tar = new TarArchiveInputStream(checked, "UTF-8");
            while (true) {
                TarArchiveEntry entry;
                try {
                    entry = tar.getNextEntry();
                } catch (IOException | IllegalArgumentException failed) {
                    throw damaged(failed);
                }
                if (entry == null) {
                    break;
                }
                member = entry.getName();
                if (!entry.isCheckSumOK()) {
                    // Commons Compress records a bad header checksum without refusing the header.
                    throw damaged(new IOException("its tar header's checksum does not match"));
                }
                try {
                    add(entry, tar);
                } catch (Refused | Damaged refusal) {
                    throw refusal;
                } catch (IOException conflict) {
                    throw refused("does not fit the members before it (" + oneLine(conflict.toString()) + ")");
                }
            }
            try {
                if (!checked.endsWithZeroRecord()) {
                    throw new IOException("the archive ends without tar's end-of-archive records");
                }
                checked.requireZerosToTheEnd();
            } catch (IOException failed) {
                throw damaged(failed);
            }
            member = null;
            String chosen = choose();
            Path directory = memory.getPath("/" + chosen);
            List<KmodProblem> problems = new ArrayList<>();
            Optional<FileTime> indexTime = Optional.empty();
            if (layout.versioned() && !Files.exists(directory.resolve("modules.dep"), LinkOption.NOFOLLOW_LINKS)) {
                FileTime time = IndexedDirectory.indexTime(newestByDirectory.get(chosen));
                writeIndex(chosen, directory, time, problems);
                indexTime = Optional.of(time);
            }
            restoreDirectoryTimes(chosen, directory, indexTime.orElse(newestByDirectory.get(chosen)));
            String version = directory.getFileName().toString();
            Optional<SystemMap> systemMap = Optional.ofNullable(systemMaps.get(version))
                    .map(contents -> new SystemMap(SYSTEM_MAP_PREFIX + version, contents));
            return new ArchiveTree(memory, directory, chosen, ignored, indexTime, List.copyOf(problems), systemMap);
        }

        private void add(TarArchiveEntry entry, TarArchiveInputStream tar) throws IOException {
            List<String> segments = segments(entry.getName());
            int depth = layout.depth(segments);
            if (depth == 0 || (wantedVersion != null && !segments.get(depth - 1).equals(wantedVersion))) {
                ignored++;
                if (layout.versioned() && isSystemMap(segments, entry)) {
                    systemMaps.put(segments.get(1).substring("System.map-".length()), readSystemMap(entry, tar));
                }
                return;
            }
            String name = String.join("/", segments);
            String directoryName = String.join("/", segments.subList(0, depth));
            if (stored.size() >= MAX_ENTRIES) {
                throw refused("more than " + MAX_ENTRIES + " members in " + (layout.versioned() ? "module "
                        + "directories, which no kernel has; this is not a module tree" : "firmware directories; "
                        + "unpack it (dpkg -x) and name the directory with --firmware"));
            }
            if (!stored.add(name)) {
                throw refused("appears twice in the archive; repack it with each member once");
            }
            FileTime mtime = entry.getLastModifiedTime();
            newestByDirectory.merge(directoryName, mtime, (a, b) -> a.compareTo(b) >= 0 ? a : b);
            int mode = entry.getMode() & 07777;
            if ((mode & 07000) != 0) {
                throw refused(String.format("mode %04o has set-ID or sticky bits, which kmodpack does not take "
                        + "from archives", mode));
            }
            Path path = memory.getPath("/" + name);
            if (segments.size() == depth && !entry.isDirectory()) {
                throw refused("the " + layout.what() + " is not a directory in the archive");
            }
            char type = (char) entry.getLinkFlag();
            if (entry.isCharacterDevice() || entry.isBlockDevice() || entry.isFIFO()) {
                throw refused((entry.isFIFO() ? "a FIFO" : "a device") + "; a module tree holds only files, "
                        + "directories, symlinks and hard links");
            }
            createParents(segments, depth);
            if (entry.isDirectory()) {
                if (!Files.isDirectory(path, LinkOption.NOFOLLOW_LINKS)) {
                    Files.createDirectory(path);
                }
                setMode(path, mode);
                directoryTimes.put(name, mtime);
                return;
            }
            if (entry.isSymbolicLink()) {
                addSymlink(path, entry.getLinkName());
            } else if (entry.isLink()) {
                addHardLink(path, entry.getLinkName());
                return;
            } else if (type == TarConstants.LF_NORMAL || type == TarConstants.LF_OLDNORM
                    || type == TarConstants.LF_CONTIG) {
                String relative = String.join("/", segments.subList(depth, segments.size()));
                if (sink != null && ModuleNames.isModuleFile(relative)
                        && sink.take(directoryName, relative, entry.getSize(), new MemberStream(tar))) {
                    Files.createFile(path);
                } else {
                    addFile(path, entry.getSize(), tar);
                }
                setMode(path, mode);
            } else {
                throw refused("a member of tar type '" + type + "', which kmodpack does not read; a module tree "
                        + "holds only files, directories, symlinks and hard links");
            }
            Files.getFileAttributeView(path, BasicFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
                    .setTimes(mtime, null, null);
        }

        private static boolean isSystemMap(List<String> segments, TarArchiveEntry entry) {
            return segments.size() == 2 && segments.get(0).equals("boot")
                    && segments.get(1).startsWith("System.map-") && entry.isFile()
                    && entry.getLinkFlag() != TarConstants.LF_LINK;
        }

        /** A System.map's bytes, counted against the bytes the archive may hold in memory. */
        private byte[] readSystemMap(TarArchiveEntry entry, InputStream contents) throws IOException {
            bytes += entry.getSize();
            if (bytes > BYTE_LIMIT) {
                throw refused("the archive's files exceed " + (BYTE_LIMIT >> 20) + " MiB, half of the Java heap; "
                        + "give Java more (KMODPACK_JAVA_OPTS=-Xmx...) or pack the unpacked directory");
            }
            try {
                byte[] read = contents.readNBytes((int) entry.getSize());
                if (read.length != entry.getSize()) {
                    throw new IOException("the member's data ends early");
                }
                return read;
            } catch (IOException failed) {
                throw damaged(failed);
            }
        }

        /** The directories leading to a member, made when the archive only implies them, never through a symlink. */
        private void createParents(List<String> segments, int depth) throws IOException {
            Path directory = memory.getPath("/" + String.join("/", segments.subList(0, depth - 1)));
            Files.createDirectories(directory);
            for (int i = depth - 1; i < segments.size() - 1; i++) {
                directory = directory.resolve(segments.get(i));
                if (Files.isSymbolicLink(directory)) {
                    throw refused("lies below " + directory.toString().substring(1) + ", a symlink in the archive; "
                            + "a member must not be placed through a link");
                }
                if (!Files.exists(directory, LinkOption.NOFOLLOW_LINKS)) {
                    Files.createDirectory(directory);
                }
            }
        }

        private void addFile(Path path, long size, InputStream contents) throws IOException {
            bytes += size;
            if (bytes > BYTE_LIMIT) {
                throw refused("the " + layout.what() + "'s files exceed " + (BYTE_LIMIT >> 20) + " MiB, half of the "
                        + "Java heap; give Java more (KMODPACK_JAVA_OPTS=-Xmx...) or pack the unpacked directory");
            }
            // The in-memory file reads the member straight into its own blocks: no buffer in between.
            try (FileChannel out = FileChannel.open(path, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                if (out.transferFrom(new MemberChannel(contents), 0, size) != size) {
                    throw damaged(new IOException("the member's data ends early"));
                }
            }
        }

        /** The member's bytes as a stream; a read that fails is damage. */
        private final class MemberStream extends InputStream {
            private final InputStream contents;

            MemberStream(InputStream contents) {
                this.contents = contents;
            }

            @Override
            public int read() throws IOException {
                return ArchiveStreams.readOneByte(this);
            }

            @Override
            public int read(byte[] into, int offset, int length) throws IOException {
                try {
                    return contents.read(into, offset, length);
                } catch (IOException failed) {
                    throw damaged(failed);
                }
            }

            /** Reads exactly {@code length} bytes; fewer are a cut. */
            @Override
            public int readNBytes(byte[] into, int offset, int length) throws IOException {
                int n = super.readNBytes(into, offset, length);
                if (n != length) {
                    throw damaged(new IOException("the member's data ends early"));
                }
                return n;
            }
        }

        /** The member's bytes as a channel, read into the caller's buffer; a read that fails is damage. */
        private final class MemberChannel implements ReadableByteChannel {
            private final InputStream contents;

            MemberChannel(InputStream contents) {
                this.contents = contents;
            }

            @Override
            public int read(ByteBuffer into) throws IOException {
                int n;
                try {
                    n = contents.read(into.array(), into.arrayOffset() + into.position(), into.remaining());
                } catch (IOException failed) {
                    throw damaged(failed);
                }
                if (n > 0) {
                    into.position(into.position() + n);
                }
                return n;
            }

            @Override
            public boolean isOpen() {
                return true;
            }

            @Override
            public void close() {
            }
        }

        private void addSymlink(Path path, String target) throws IOException {
            if (target.isEmpty() || target.indexOf('\uFFFD') >= 0 || target.indexOf('\0') >= 0) {
                throw refused("a symlink whose target is empty or not valid UTF-8");
            }
            Files.createSymbolicLink(path, memory.getPath(target));
            if (!Files.readSymbolicLink(path).toString().equals(target)) {
                throw refused("the symlink target '" + target + "' is not kept verbatim in memory (doubled or "
                        + "trailing '/'); repack the archive with a plain target");
            }
            Files.getFileAttributeView(path, PosixFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
                    .setPermissions(permissions(0777));
        }

        private void addHardLink(Path path, String target) throws IOException {
            String targetName = String.join("/", segments(target));
            Path existing = memory.getPath("/" + targetName);
            if (!stored.contains(targetName)
                    || !Files.isRegularFile(existing, LinkOption.NOFOLLOW_LINKS)) {
                throw refused("a hard link to " + target + ", which is not a file stored before it in a module "
                        + "directory; repack the archive with the file itself");
            }
            Files.createLink(path, existing);
        }

        /** The member's name as '/'-free segments without '.', refused when absolute or holding '..'. */
        private List<String> segments(String name) throws IOException {
            if (name.indexOf('\uFFFD') >= 0) {
                throw refused("its name is not valid UTF-8; kmodpack stores UTF-8 names");
            }
            if (name.startsWith("/")) {
                throw refused("an absolute member name; an archive's names must be relative (tar strips the "
                        + "leading '/' when it creates one)");
            }
            List<String> segments = new ArrayList<>();
            for (String segment : name.split("/")) {
                if (segment.equals("..")) {
                    throw refused("a member name with '..', which could point outside the tree; repack the "
                            + "archive without it");
                }
                if (!segment.isEmpty() && !segment.equals(".")) {
                    segments.add(segment);
                }
            }
            return segments;
        }

        private String choose() throws IOException {
            if (!layout.versioned() && newestByDirectory.size() != 1) {
                throw new Refused(label + ": holds " + (newestByDirectory.isEmpty() ? "no lib/firmware or "
                        + "usr/lib/firmware directory; name a firmware package" : "both lib/firmware and "
                        + "usr/lib/firmware; unpack it (dpkg -x) and name each with --firmware"));
            }
            if (newestByDirectory.isEmpty()) {
                throw new Refused(label + ": holds no " + (wantedVersion == null ? "lib/modules/KVER or "
                        + "usr/lib/modules/KVER" : "lib/modules/" + wantedVersion + " or usr/lib/modules/"
                        + wantedVersion + " (--kernel-version)") + " directory; name a kernel image package or a "
                        + "tar of a module tree");
            }
            if (newestByDirectory.size() > 1) {
                throw new Refused(label + ": holds several module directories " + newestByDirectory.keySet()
                        + "; choose one with --kernel-version");
            }
            return newestByDirectory.keySet().iterator().next();
        }

        private void writeIndex(String chosen, Path directory, FileTime time, List<KmodProblem> problems)
                throws IOException {
            DepmodOptions options = DepmodOptions.defaults(directory.getFileName().toString());
            DirectoryModuleTree tree = DirectoryModuleTree.scan(directory, options.config()::excludes);
            if (tree.files().stream().noneMatch(ModuleNames::isModuleFile)) {
                throw new Refused(label + ": " + chosen + ": not a module tree (no modules.dep and no module file "
                        + "*.ko, *.ko.xz, *.ko.zst or *.ko.gz in it)");
            }
            ModuleTree read = sink == null ? tree : new ModuleTree() {
                @Override
                public java.util.Collection<String> files() {
                    return tree.files();
                }

                @Override
                public ByteBuffer read(String path) throws IOException {
                    return tree.read(path);
                }

                @Override
                public ModuleFacts facts(String path) {
                    return factsOf(sink, directory, path);
                }
            };
            Map<String, byte[]> files;
            try {
                files = Depmod.run(read, options, problems::add);
            } catch (DepmodCycleException cycle) {
                throw new Refused(label + ": " + chosen + ": " + cycle.modules() + " modules depend on each other in "
                        + "cycles (" + String.join("; ", cycle.cycles()) + "); depmod cannot index it");
            }
            for (Map.Entry<String, byte[]> file : files.entrySet()) {
                Path path = directory.resolve(file.getKey());
                Files.write(path, file.getValue());
                setMode(path, 0644);
                Files.setLastModifiedTime(path, time);
            }
        }

        /**
         * Creating an entry changes its directory's time, so directories get theirs last: the archive's, or for
         * one the archive only implies, the index time.
         */
        private void restoreDirectoryTimes(String chosen, Path directory, FileTime implied) throws IOException {
            Files.walkFileTree(directory, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult postVisitDirectory(Path dir, IOException failed) throws IOException {
                    String name = dir.equals(directory) ? chosen : chosen + "/" + directory.relativize(dir);
                    FileTime recorded = directoryTimes.get(name);
                    if (recorded == null) {
                        setMode(dir, 0755);
                    }
                    Files.setLastModifiedTime(dir, recorded != null ? recorded : implied);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attributes) {
                    return FileVisitResult.CONTINUE;
                }
            });
        }

        private Damaged damaged(Exception failure) {
            return new Damaged(label + ": truncated or corrupt" + (member == null ? "" : " at " + member) + " ("
                    + oneLine(failure.getMessage()) + "); fetch the archive again", failure);
        }

        private Refused refused(String what) {
            return new Refused(label + ": " + member + ": " + what);
        }
    }

    private static void setMode(Path path, int mode) throws IOException {
        Files.getFileAttributeView(path, PosixFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
                .setPermissions(permissions(mode));
    }

    private static Set<PosixFilePermission> permissions(int mode) {
        Set<PosixFilePermission> permissions = EnumSet.noneOf(PosixFilePermission.class);
        for (PosixFilePermission permission : PosixFilePermission.values()) {
            if ((mode & (0400 >> permission.ordinal())) != 0) {
                permissions.add(permission);
            }
        }
        return permissions;
    }

    private static String oneLine(String message) {
        return String.valueOf(message).replaceAll("\\s+", " ").strip();
    }

    /**
     * Remembers the last tar record that went through, so that the end of the archive can be told from a cut:
     * a tar ends with zero records, and tar readers stop quietly at a cut that falls between records.
     */
    private static final class EndCheckingInputStream extends InputStream {
        private final InputStream in;
        private final byte[] lastRecord = new byte[TAR_RECORD];
        private long count;

        EndCheckingInputStream(InputStream in) {
            this.in = in;
        }

        @Override
        public int read() throws IOException {
            return ArchiveStreams.readOneByte(this);
        }

        @Override
        public int read(byte[] buffer, int off, int len) throws IOException {
            int n = in.read(buffer, off, len);
            if (n > 0) {
                int tail = Math.min(n, TAR_RECORD);
                int from = off + n - tail;
                int at = (int) ((count + n - tail) % TAR_RECORD);
                int first = Math.min(tail, TAR_RECORD - at);
                System.arraycopy(buffer, from, lastRecord, at, first);
                System.arraycopy(buffer, from + first, lastRecord, 0, tail - first);
                count += n;
            }
            return n;
        }

        @Override
        public long skip(long n) throws IOException {
            byte[] scratch = new byte[8192];
            long done = 0;
            while (done < n) {
                int read = read(scratch, 0, (int) Math.min(scratch.length, n - done));
                if (read < 0) {
                    break;
                }
                done += read;
            }
            return done;
        }

        @Override
        public int available() throws IOException {
            return in.available();
        }

        /**
         * Reads what follows the end-of-archive records: tar writers pad with zeros, and a damaged header that
         * decodes to zeros would otherwise end the archive early. The codec also verifies its checks (CRC,
         * xxHash) only when its stream is read to the end.
         */
        void requireZerosToTheEnd() throws IOException {
            byte[] buffer = new byte[1 << 16];
            for (int n; (n = in.read(buffer)) >= 0; ) {
                for (int i = 0; i < n; i++) {
                    if (buffer[i] != 0) {
                        throw new IOException("data follows the end-of-archive records");
                    }
                }
            }
        }

        boolean endsWithZeroRecord() {
            if (count == 0 || count % TAR_RECORD != 0) {
                return false;
            }
            for (byte b : lastRecord) {
                if (b != 0) {
                    return false;
                }
            }
            return true;
        }

        @Override
        public void close() throws IOException {
            in.close();
        }
    }
}
