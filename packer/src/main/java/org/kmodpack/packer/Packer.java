package org.kmodpack.packer;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Predicate;
import org.kmodpack.format.BlockRecord;
import org.kmodpack.format.EntryKind;
import org.kmodpack.format.FirmwareSection;
import org.kmodpack.format.Header;
import org.kmodpack.format.IndexRegion;
import org.kmodpack.format.LayerSection;
import org.kmodpack.format.ModuleContent;
import org.kmodpack.format.ModuleSectionEncoder;
import org.kmodpack.modules.DepmodOptions;
import org.kmodpack.modules.FirmwareFiles;
import org.kmodpack.modules.KernelSymbols;
import org.kmodpack.modules.KmodProblem;
import org.kmodpack.modules.ModuleScanner;
import org.kmodpack.format.Names;
import org.kmodpack.format.Params;
import org.kmodpack.format.Statement;
import org.kmodpack.reader.Bundle;

/**
 * Packs a module tree into a bundle. The bundle is written to a {@link StagedFile} beside the destination and
 * renamed into place only when complete, so a failed or interrupted pack leaves no partial bundle behind (after
 * kill -9, the next pack of the same destination removes it).
 */
public final class Packer {
    private Packer() {
    }

    /** Packs the module directory {@code source} names ({@link TreeSource#directory}). */
    public static PackResult pack(Path source, Path output, PackOptions options, PackProgress progress)
            throws IOException {
        return pack(source, output, options, List.of(), StatementTerms.defaults(), progress);
    }

    /** As {@link #pack(TreeSource, Path, PackOptions, List, StatementTerms, PackProgress)} for a directory. */
    public static PackResult pack(Path source, Path output, PackOptions options, List<SigningKey> signers,
            StatementTerms terms, PackProgress progress) throws IOException {
        return pack(TreeSource.directory(source, options.kernelVersion()), output, options, signers, terms,
                progress);
    }

    /**
     * Packs and, when {@code signers} is not empty, signs with each key before the bundle appears at
     * {@code output}: a signed pack never leaves an unsigned bundle behind, not even for a moment.
     */
    public static PackResult pack(TreeSource tree, Path output, PackOptions options, List<SigningKey> signers,
            StatementTerms terms, PackProgress progress) throws IOException {
        return pack(tree, path -> false, null, output, options, signers, terms, progress);
    }

    /**
     * Packs the partial module directory {@code source} (updates/…, extra/…, optionally its modules.order and a
     * depmod.d folder) as a layer for {@code options.kernelVersion()}, which it needs: a bundle of format 1.1
     * with a LAYER section, merged over a base of that version at lookup time. No depmod runs.
     */
    public static PackResult packLayer(Path source, Path output, PackOptions options, List<SigningKey> signers,
            StatementTerms terms, PackProgress progress) throws IOException {
        if (!options.firmware().isNone()) {
            throw new IOException(source + ": a layer carries no firmware; pack the firmware with the base bundle");
        }
        if (options.kernelSymbols().isPresent()) {
            throw new IOException(source + ": a layer records no kernel symbols; give System.map or Module.symvers "
                    + "when packing the base bundle");
        }
        LayerDirectory layer = LayerDirectory.read(source, options.kernelVersion());
        return pack(layer.tree(), LayerDirectory::inSection, layer.section(), output, options, signers, terms,
                progress);
    }

    /**
     * Packs the module directory of the kernel package or tar archive {@code archive} (the one
     * {@code options.kernelVersion()} names, or the only one) as {@link #pack(TreeSource, Path, PackOptions, List,
     * StatementTerms, PackProgress)} packs {@link ArchiveTree#open}'s tree, giving the same tree, but streamed: each
     * module file is compressed as it comes out of the archive, while the rest is still being decoded, and is not
     * held ({@link StreamedModules}). {@code read} is told of the archive's tree once the archive has been read and
     * depmod has run (what was ignored, depmod's problems), before the rest is packed. {@code output} names the
     * bundle after the kernel version; the bundle is written beside {@code output.apply("KVER")} until then.
     */
    public static PackResult packArchive(Path archive, Function<String, Path> output, PackOptions options,
            List<SigningKey> signers, StatementTerms terms, PackProgress progress, Consumer<ArchiveTree> read)
            throws IOException {
        return packStreamed(sink -> ArchiveTree.open(archive, options.kernelVersion(), sink), output, options,
                signers, terms, progress, read);
    }

    /** As {@link #packArchive(Path, Function, PackOptions, List, StatementTerms, PackProgress, Consumer)} from a pipe. */
    public static PackResult packArchive(InputStream in, String name, Function<String, Path> output,
            PackOptions options,
            List<SigningKey> signers, StatementTerms terms, PackProgress progress, Consumer<ArchiveTree> read)
            throws IOException {
        return packStreamed(sink -> ArchiveTree.read(in, name, options.kernelVersion(), sink), output, options,
                signers, terms, progress, read);
    }

    /** Reads an archive's tree, handing its module files to the sink as they stream by. */
    private interface ArchiveReader {
        ArchiveTree read(ArchiveTree.ModuleFileSink sink) throws IOException;
    }

    private static PackResult packStreamed(ArchiveReader archive, Function<String, Path> output, PackOptions options,
            List<SigningKey> signers, StatementTerms terms, PackProgress progress, Consumer<ArchiveTree> read)
            throws IOException {
        long start = System.nanoTime();
        return staged(output.apply("KVER"), options, (staged, workers, moduleReaders) -> {
            BlockWriter blocks = blockWriter(staged.channel(), options, workers);
            StreamedModules modules = new StreamedModules(blocks, moduleReaders);
            try (ArchiveTree tree = archive.read(modules)) {
                read.accept(tree);
                checkKernelVersion(tree);
                List<ScannedEntry> entries = modules.withSizes(TreeScanner.scan(tree.moduleDirectory()));
                List<KmodProblem> symbolProblems = new ArrayList<>();
                Optional<String> systemMapFile = tree.systemMap().map(TreeSource.SystemMap::name)
                        .filter(name -> options.kernelSymbols().isEmpty());
                Optional<KernelSymbols> kernelSymbols = kernelSymbols(tree, options, false, symbolProblems);
                byte[] kernelSymbolSection = kernelSymbolSection(kernelSymbols, systemMapFile);
                ContentPlan plan = ContentPlan.placed(entries, workers, modules.length(), modules::offset);
                Path directory = tree.moduleDirectory();
                Optional<ModuleScanner> moduleScan = ModuleScanner.start(tree::resolve,
                        path -> ArchiveTree.factsOf(modules, directory, path), treeEntries(entries), moduleReaders,
                        kernelSymbols);
                Written written;
                try (FirmwareSource firmware = firmwareSource(options.firmware(), tree, moduleScan)) {
                    written = write(staged.channel(), blocks, entries, plan, tree.kernelVersion(), moduleScan,
                            firmware, kernelSymbolSection, null, options, workers, progress, signers, terms);
                }
                Path bundle = output.apply(tree.kernelVersion());
                staged.commit(bundle);
                return result(bundle, tree, entries, written, kernelSymbols, systemMapFile, moduleScan,
                        symbolProblems, start);
            }
        });
    }

    private static PackResult pack(TreeSource tree, Predicate<String> skipped, LayerSection layer, Path output,
            PackOptions options, List<SigningKey> signers, StatementTerms terms, PackProgress progress)
            throws IOException {
        long start = System.nanoTime();
        checkFileNameDecoding(tree.moduleDirectory());
        checkKernelVersion(tree);
        List<ScannedEntry> entries = TreeScanner.scan(tree.moduleDirectory(), skipped, tree.addedFiles());
        List<KmodProblem> symbolProblems = new ArrayList<>();
        Optional<String> systemMapFile = tree.systemMap().map(TreeSource.SystemMap::name)
                .filter(name -> options.kernelSymbols().isEmpty() && layer == null);
        Optional<KernelSymbols> kernelSymbols = kernelSymbols(tree, options, layer != null, symbolProblems);
        byte[] kernelSymbolSection = kernelSymbolSection(kernelSymbols, systemMapFile);
        return staged(output, options, (staged, workers, moduleReaders) -> {
            ContentPlan plan = ContentPlan.build(entries, workers);
            // A layer has no depmod output of its own: the union's index is made when it is merged.
            Optional<ModuleScanner> moduleScan = layer != null ? Optional.empty()
                    : ModuleScanner.start(tree::resolve, treeEntries(entries), moduleReaders, kernelSymbols);
            Written written;
            try (FirmwareSource firmware = firmwareSource(options.firmware(), tree, moduleScan)) {
                written = write(staged.channel(), blockWriter(staged.channel(), options, workers), entries, plan,
                        tree.kernelVersion(), moduleScan, firmware, kernelSymbolSection, layer, options, workers,
                        progress, signers, terms);
            }
            staged.commit();
            return result(output, tree, entries, written, kernelSymbols, systemMapFile, moduleScan, symbolProblems,
                    start);
        });
    }

    /** A pack that writes the bundle into a staged file, compressing on the workers and reading modules on the readers. */
    private interface StagedPack {
        PackResult run(StagedFile staged, ExecutorService workers, ExecutorService moduleReaders) throws IOException;
    }

    /**
     * Runs {@code pack} with a staged file beside {@code destination} (removed unless the pack commits it, also on
     * SIGTERM and SIGINT) and the pack's thread pools.
     */
    private static PackResult staged(Path destination, PackOptions options, StagedPack pack) throws IOException {
        ExecutorService workers = daemonThreads(options.threads(), "kmodpack-pack-worker");
        ExecutorService moduleReaders = daemonThreads(options.threads(), "kmodpack-module-reader");
        try (StagedFile staged = StagedFile.create(destination)) {
            // SIGTERM and SIGINT run the hook; after kill -9 the next pack of this output removes the file.
            Thread cleanup = new Thread(() -> deleteQuietly(staged.path()), "kmodpack-pack-cleanup");
            Runtime.getRuntime().addShutdownHook(cleanup);
            try {
                return pack.run(staged, workers, moduleReaders);
            } finally {
                try {
                    Runtime.getRuntime().removeShutdownHook(cleanup);
                } catch (IllegalStateException shuttingDown) {
                    // The hook is already running and removes the staged file itself.
                }
            }
        } finally {
            workers.shutdownNow();
            moduleReaders.shutdownNow();
        }
    }

    private static void checkKernelVersion(TreeSource tree) throws IOException {
        if (Names.problemWith(tree.kernelVersion()) != null) {
            throw new IOException("kernel version '" + tree.kernelVersion() + "' is not a valid directory name; "
                    + "give one with --kernel-version");
        }
    }

    /**
     * The kernel's symbols to record: the options', else (but for a layer) those of the System.map the tree came
     * with, when it lists any; what reading it found wrong goes to {@code problems}.
     */
    private static Optional<KernelSymbols> kernelSymbols(TreeSource tree, PackOptions options, boolean layer,
            List<KmodProblem> problems) {
        Optional<KernelSymbols> kernelSymbols = options.kernelSymbols();
        if (kernelSymbols.isEmpty() && !layer && tree.systemMap().isPresent()) {
            TreeSource.SystemMap systemMap = tree.systemMap().get();
            KernelSymbols read = KernelSymbols.fromSystemMap(systemMap.name(), systemMap.contents(),
                    DepmodOptions.NO_SYMBOL_PREFIX, problems::add);
            // Debian's boot/System.map-KVER is a placeholder without exports: recording none would refuse every
            // module merged over the base.
            kernelSymbols = read.count() > 0 ? Optional.of(read) : Optional.empty();
        }
        return kernelSymbols;
    }

    private static byte[] kernelSymbolSection(Optional<KernelSymbols> kernelSymbols, Optional<String> systemMapFile)
            throws IOException {
        if (kernelSymbols.isEmpty()) {
            return null;
        }
        try {
            return kernelSymbols.get().section();
        } catch (IllegalArgumentException unfit) {
            throw new IOException(systemMapFile.orElse("kernel symbols") + ": " + unfit.getMessage()
                    + "; it cannot be recorded", unfit);
        }
    }

    private static BlockWriter blockWriter(FileChannel out, PackOptions options, ExecutorService workers) {
        return new BlockWriter(out, Header.SIZE, options.codec(), options.level(), options.blockSize(),
                options.resyncBlocks(), workers, options.threads());
    }

    /** The committed bundle, opened once as a check, and what packing it did. */
    private static PackResult result(Path output, TreeSource tree, List<ScannedEntry> entries, Written written,
            Optional<KernelSymbols> kernelSymbols, Optional<String> systemMapFile,
            Optional<ModuleScanner> moduleScan, List<KmodProblem> symbolProblems, long start) throws IOException {
        try (Bundle check = Bundle.open(output)) {
            check.root();
        }
        long inputBytes = 0;
        int files = 0;
        for (ScannedEntry entry : entries) {
            if (entry.kind() == EntryKind.FILE) {
                files++;
                inputBytes += entry.size();
            }
        }
        if (moduleScan.isPresent()) {
            symbolProblems.addAll(moduleScan.get().unknownSymbols());
        }
        PackResult.KernelSymbolsRecord symbols = new PackResult.KernelSymbolsRecord(
                kernelSymbols.map(k -> new PackResult.Recorded(k.source(), k.count())), systemMapFile,
                List.copyOf(symbolProblems));
        return new PackResult(output, tree.kernelVersion(), files, inputBytes, written.bundleLength(),
                Duration.ofNanos(System.nanoTime() - start),
                moduleScan.map(ModuleScanner::moduleCount).orElse(-1), written.firmware(), symbols);
    }

    /** What {@link #write} wrote: the bundle's length and its firmware tree's summary. */
    private record Written(long bundleLength, Optional<PackResult.Firmware> firmware) {
    }

    /** The firmware tree as packed: its entries, where their contents lie, and what its selection found. */
    private record PackedFirmware(List<ScannedEntry> entries, ContentPlan plan, FirmwareSource.Selection selection) {
        PackResult.Firmware summary() {
            int files = 0;
            long bytes = 0;
            for (ScannedEntry entry : entries) {
                if (entry.kind() != EntryKind.DIRECTORY) {
                    files++;
                    bytes += entry.kind() == EntryKind.FILE ? entry.size() : 0;
                }
            }
            return new PackResult.Firmware(files, bytes, selection.names(), selection.missing());
        }
    }

    /** Appends the plan's contents to {@code blocks} (which may hold a streamed tree's already) and ends the bundle. */
    private static Written write(FileChannel out, BlockWriter blocks, List<ScannedEntry> entries, ContentPlan plan,
            String kernelVersion, Optional<ModuleScanner> moduleScan, FirmwareSource firmwareSource,
            byte[] kernelSymbolSection, LayerSection layer, PackOptions options,
            ExecutorService workers, PackProgress progress, List<SigningKey> signers, StatementTerms terms)
            throws IOException {
        long filesTotal = plan.contents().size();
        long bytesDone = 0;
        long filesDone = 0;
        for (ContentPlan.Content content : plan.contents()) {
            blocks.append(content);
            bytesDone += content.size();
            progress.update(++filesDone, filesTotal, bytesDone, plan.dataLength());
        }
        Optional<ModuleContent> moduleContent = moduleScan.isEmpty() ? Optional.empty()
                : Optional.of(moduleScan.get().finish());
        // The firmware follows the module files in the data stream: which files it holds depends on their modinfo.
        PackedFirmware firmware = firmwareSource == null ? null
                : packFirmware(firmwareSource, options.firmware(), moduleContent, plan.dataLength(), workers);
        long dataLength = plan.dataLength();
        if (firmware != null) {
            for (ContentPlan.Content content : firmware.plan().contents()) {
                blocks.append(content);
            }
            dataLength = firmware.plan().dataLength();
        }
        // The modinfo blob ends the data stream, compressed and hashed like the files.
        ModuleSectionEncoder.Encoded modules = moduleContent.isEmpty() ? null
                : ModuleSectionEncoder.encode(moduleContent.get(), dataLength);
        if (modules != null) {
            int at = 0;
            for (ModuleSectionEncoder.BlobRecord record : modules.records()) {
                blocks.append(record.name(), modules.modinfo(), at, record.length());
                at += record.length();
            }
            dataLength += modules.modinfo().length;
        }
        // Every file, its contents and its modinfo have been read: none may have changed since the scan.
        checkUnchanged(entries);
        if (firmware != null) {
            checkUnchanged(firmware.entries());
        }
        List<BlockRecord> blockRecords = blocks.finish();
        long indexOffset = blocks.position();
        IndexLayout layout = IndexLayout.of(entries, plan);
        Params params = new Params(options.blockSize(), blockRecords.size(), dataLength, entries.size(),
                options.codec(), options.level(), kernelVersion);
        byte[] firmwareSection = null;
        if (firmware != null) {
            IndexLayout firmwareLayout = IndexLayout.of(firmware.entries(), firmware.plan());
            firmwareSection = FirmwareSection.encode(firmwareLayout.records(), firmwareLayout.names());
        }
        byte[] index = IndexRegion.encode(params, blockRecords, layout.records(), layout.names(),
                modules == null ? null : modules.section(), firmwareSection, kernelSymbolSection, layer,
                blocks.blockStarts());
        writeFully(out, ByteBuffer.wrap(index), indexOffset);
        long bundleLength = indexOffset + index.length;
        int minorVersion = kernelSymbolSection != null ? Header.KERNEL_SYMBOLS_MINOR_VERSION
                : options.resyncBlocks() ? Header.BLOCK_STARTS_MINOR_VERSION
                : firmware != null ? Header.FIRMWARE_MINOR_VERSION
                : layer != null ? Header.LAYER_MINOR_VERSION : Header.MINOR_VERSION;
        Header header = new Header(Header.MAJOR_VERSION, minorVersion, bundleLength, indexOffset,
                index.length, BlockHash.of(index, index.length), 0, 0);
        byte[] headerBytes = header.encode();
        writeFully(out, ByteBuffer.wrap(headerBytes), 0);
        if (!signers.isEmpty()) {
            Statement statement = Statement.describe(headerBytes, params, header.indexSha256(), bundleLength,
                    terms.resolvedSerial(), terms.resolvedExpiry());
            SignatureWriter.write(out, header, SignatureWriter.sign(statement, null, signers));
        }
        return new Written(out.size(), Optional.ofNullable(firmware).map(PackedFirmware::summary));
    }

    /**
     * The selection's firmware directories, read before anything is compressed so that a wrong one fails at once;
     * null when no firmware is asked for.
     */
    private static FirmwareSource firmwareSource(FirmwareSelection selection, TreeSource tree,
            Optional<ModuleScanner> moduleScan) throws IOException {
        if (selection.isNone()) {
            return null;
        }
        if (moduleScan.isEmpty() && !selection.all()) {
            throw new IOException(tree.moduleDirectory() + ": has no module index (no modules.dep.bin), so no "
                    + "module names its firmware; run depmod on it, or take every firmware file with --firmware-all");
        }
        return FirmwareSource.read(selection.directories(), tree.kernelVersion());
    }

    /**
     * Selects from {@code source} the firmware the modules' firmware= fields and the selection name (or all of it)
     * and plans its contents from {@code dataStart} on.
     */
    private static PackedFirmware packFirmware(FirmwareSource source, FirmwareSelection selection,
            Optional<ModuleContent> modules, long dataStart, ExecutorService workers) throws IOException {
        List<FirmwareFiles.Request> requests = new ArrayList<>();
        for (ModuleContent.Module module : modules.map(ModuleContent::modules).orElse(List.of())) {
            requests.add(FirmwareFiles.Request.of(module.name(), module.info()));
        }
        FirmwareSource.Selection chosen = source.select(selection, requests);
        List<ScannedEntry> entries = source.scan(chosen.paths());
        return new PackedFirmware(entries, ContentPlan.build(entries, workers, dataStart), chosen);
    }

    /**
     * A file rewritten in place at the same size while it was read would be stored torn (part old, part new
     * bytes) with the hashes of what was read: its stamp now must be the one the scan took before any read.
     */
    private static void checkUnchanged(List<ScannedEntry> entries) throws IOException {
        for (ScannedEntry entry : entries) {
            if (entry.kind() == EntryKind.FILE && !FileStamp.of(entry.source()).equals(entry.stamp())) {
                throw new IOException(entry.source() + ": changed while packing (written to since the tree was "
                        + "scanned); pack a tree that nothing is writing to");
            }
        }
    }

    private static List<ModuleScanner.TreeEntry> treeEntries(List<ScannedEntry> entries) {
        return entries.stream().map(e -> new ModuleScanner.TreeEntry(e.path(), e.kind() == EntryKind.FILE)).toList();
    }

    private static ExecutorService daemonThreads(int count, String name) {
        return Executors.newFixedThreadPool(count, runnable -> {
            Thread thread = new Thread(runnable, name);
            thread.setDaemon(true);
            return thread;
        });
    }

    /**
     * With a non-UTF-8 locale (an empty environment has none), Java turns every non-ASCII byte of a file
     * name into U+FFFD and the names cannot be stored faithfully.
     */
    private static void checkFileNameDecoding(Path source) throws IOException {
        String charset = System.getProperty("sun.jnu.encoding", "UTF-8");
        if (source.getFileSystem() == java.nio.file.FileSystems.getDefault()
                && !StandardCharsets.UTF_8.aliases().contains(charset) && !charset.equalsIgnoreCase("UTF-8")) {
            throw new IOException("Java decodes file names as " + charset + ", not UTF-8; run kmodpack with "
                    + "LC_ALL=C.UTF-8 (the ./kmodpack launcher sets it)");
        }
    }

    private static void writeFully(FileChannel out, ByteBuffer bytes, long position) throws IOException {
        long at = position;
        while (bytes.hasRemaining()) {
            at += out.write(bytes, at);
        }
    }


    private static void deleteQuietly(Path path) {
        try {
            Files.deleteIfExists(path);
        } catch (IOException e) {
            // Best effort: the next pack of the same output removes it (StagedFile).
        }
    }
}
