package org.kmodpack.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.kmodpack.modules.DepmodOptions;
import org.kmodpack.modules.KernelSymbols;
import org.kmodpack.format.Codec;
import org.kmodpack.modules.KmodProblem;
import org.kmodpack.packer.ArchiveTree;
import org.kmodpack.packer.CompressionLevel;
import org.kmodpack.packer.FirmwareSelection;
import org.kmodpack.packer.PackOptions;
import org.kmodpack.packer.PackResult;
import org.kmodpack.packer.Packer;
import org.kmodpack.packer.SigningKey;
import org.kmodpack.packer.StatementTerms;
import org.kmodpack.packer.TreeSource;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "pack", mixinStandardHelpOptions = true,
        description = {"Pack a module tree into one bundle file.",
            "SOURCE is a module directory (/lib/modules/KVER), a root holding lib/modules/KVER or "
                + "usr/lib/modules/KVER (an unpacked kernel package, a chroot, /), a kernel package (.deb), "
                + "a tar archive (.tar, .tar.gz, .tar.xz, .tar.zst) or - for a tar on stdin. An archive is read as "
                + "a stream, nothing unpacked to disk. A tree without modules.dep is indexed by kmodpack's depmod "
                + "in memory (nothing is written into a directory)."},
        footer = {"", "Examples:", "  kmodpack pack /lib/modules/$(uname -r)",
            "  kmodpack pack linux-image-6.1.0-28-amd64_6.1.119-1_amd64.deb",
            "  tar -C build/modules-install -c lib/modules | kmodpack pack -",
            "  kmodpack pack ./rootfs --kernel-version 6.1.0-28-amd64 -o /boot/modules-6.1.0-28-amd64.kpack",
            "  kmodpack pack /lib/modules/$(uname -r) --level max",
            "  kmodpack pack /lib/modules/$(uname -r) --firmware /lib/firmware --firmware-extra brcm/brcmfmac43455-sdio.txt",
            "  kmodpack pack /lib/modules/6.1.0-28-amd64 --symvers /usr/src/linux-headers-6.1.0-28-amd64/Module.symvers",
            "  kmodpack pack /var/lib/dkms/out --layer --kernel-version 6.1.0-28-amd64 -o nvidia.kpack --sign dkms.key",
            "  kmodpack pack /lib/modules/$(uname -r) --sign release.key --sign linux/certs/signing_key.pem --expires 2027-06-30"})
final class PackCommand extends Subcommand {
    @Parameters(paramLabel = "SOURCE", arity = "0..1",
            description = "Module directory, a root that holds one, a .deb, a tar archive or - (default: the "
                    + "running kernel's, /lib/modules/$(uname -r)).")
    Path source = Path.of("/lib/modules", System.getProperty("os.version"));

    @Option(names = {"-o", "--output"}, paramLabel = "BUNDLE",
            description = "Bundle to write (default: modules-KVER.kpack in the current directory).")
    Path output;

    @Option(names = "--kernel-version", paramLabel = "KVER",
            description = "Kernel version (default: the module directory's name; required when a root holds several).")
    String kernelVersion;

    @Option(names = "--layer",
            description = "Pack SOURCE as a layer of extra modules (updates/..., extra/..., optionally its "
                    + "modules.order and a depmod.d folder of *.conf files) for --kernel-version KVER, to be "
                    + "merged over a base bundle with --layer; no depmod runs.")
    boolean layer;

    @Option(names = "--codec", paramLabel = "CODEC", defaultValue = "zstd", completionCandidates = CodecNames.class,
            description = "zstd (default: fast to read), xz (smaller, slower to read) or none.")
    Codec codec;

    @Option(names = "--level", paramLabel = "N|max",
            description = "Compression level: zstd 1-22 (default 8), xz 0-9 (default 6), or max.")
    String level;

    @Option(names = "--block-size", paramLabel = "SIZE", defaultValue = "2M",
            description = "Uncompressed bytes per block, a power of two from 4K to 64M (default 2M). "
                    + "Larger compresses better; smaller reads less for each random access.")
    String blockSize;

    @Option(names = "--resync-blocks",
            description = "End blocks where files start, so that a tree rebuilt with a changed file shares every "
                    + "block but those holding it with this bundle, and a reader's block cache fetches only those "
                    + "(bundle format 1.3, which older kmodpack cannot read).")
    boolean resyncBlocks;

    @Option(names = "--threads", paramLabel = "N",
            description = "Compression threads (default: one per core; as many again read the modules for the "
                    + "module index meanwhile, mostly waiting on the disk). The bundle's bytes do not depend on it.")
    Integer threads;

    @Option(names = "--firmware", paramLabel = "DIR",
            description = "Add the firmware files the modules name in their firmware= fields (with NAME.zst, NAME.xz "
                    + "and symlinks as DIR has them), found in DIR as the kernel looks: DIR/updates/KVER, "
                    + "DIR/updates, DIR/KVER, DIR. DIR may be a firmware package (.deb, such as firmware-linux-free) "
                    + "or a tar archive: its lib/firmware. Repeatable: the first DIR holding a file gives it.")
    List<Path> firmware = new ArrayList<>();

    @Option(names = "--firmware-all", description = "Add every file of the --firmware directories.")
    boolean firmwareAll;

    @Option(names = "--firmware-extra", paramLabel = "FILE",
            description = "Also add the firmware file FILE (a name as under /lib/firmware, such as "
                    + "brcm/brcmfmac43455-sdio.txt) that a driver loads without declaring it. Repeatable.")
    List<String> firmwareExtra = new ArrayList<>();

    @picocli.CommandLine.ArgGroup(exclusive = true)
    KernelSymbolFile kernelSymbolFile;

    /** --system-map FILE or --symvers FILE: the kernel image's exports, as depmod's -F or -E takes them. */
    static final class KernelSymbolFile {
        @Option(names = "--system-map", paramLabel = "FILE",
                description = "Record the kernel's exported symbols from its System.map (as depmod -F): modules "
                        + "merged over this bundle with --layer are then refused when they need a symbol nothing "
                        + "exports, and this tree's modules are checked as depmod -e does. A kernel package's "
                        + "boot/System.map-KVER is used without it when it lists symbols (Debian's does not: the "
                        + "real one is in the -dbg package).")
        Path systemMap;

        @Option(names = "--symvers", paramLabel = "FILE",
                description = "As --system-map, from the kernel build's Module.symvers (as depmod -E; linux-headers "
                        + "carries it): the symbols' versions too, so a module built for another kernel is refused.")
        Path symvers;
    }

    @Mixin
    SigningOptions signing;

    @Mixin
    ProgressOptions progress;

    /** The codecs as the help and --codec write them. */
    static final class CodecNames implements Iterable<String> {
        @Override
        public java.util.Iterator<String> iterator() {
            return java.util.Arrays.stream(Codec.values()).map(Codec::label).iterator();
        }
    }

    @Override
    public Integer call() throws Exception {
        PackOptions packOptions;
        try {
            PackOptions base = PackOptions.defaults().withKernelVersion(kernelVersion);
            PackOptions coded = option("--level " + level, () -> base.withCodec(codec, parseLevel(level)));
            PackOptions blocked = option("--block-size " + blockSize,
                    () -> coded.withBlockSize(Sizes.parse(blockSize)));
            PackOptions threaded = option("--threads " + threads, () -> blocked.withThreads(threads != null
                    ? threads : Runtime.getRuntime().availableProcessors()));
            packOptions = option("--firmware-extra/--firmware-all",
                    () -> threaded.withFirmware(new FirmwareSelection(firmware, firmwareExtra, firmwareAll)))
                    .withResyncBlocks(resyncBlocks);
        } catch (IllegalArgumentException e) {
            throw usageError(e.getMessage());
        }
        StatementTerms terms = signing.terms();
        List<SigningKey> keys = signing.keys();
        if (layer && kernelVersion == null) {
            throw usageError("--layer needs --kernel-version KVER: the version of the base the layer goes over");
        }
        if (layer && !firmware.isEmpty()) {
            throw usageError("--layer takes no --firmware: a layer carries no firmware; pack it with the base bundle");
        }
        if (layer && kernelSymbolFile != null) {
            throw usageError("--layer takes no --system-map or --symvers: give the kernel's symbols to the base "
                    + "bundle");
        }
        if (output != null) {
            OutputFile.checkWritable(output);
        }
        Optional<KernelSymbols> kernelSymbols = readKernelSymbols();
        PackOptions options = kernelSymbols.isEmpty() ? packOptions : packOptions.withKernelSymbols(kernelSymbols);
        PrintWriter out = out();
        PackResult result;
        if (layer) {
            Path bundle = output != null ? output
                    : Path.of(source.toAbsolutePath().normalize().getFileName() + "-" + kernelVersion + ".kpack");
            result = packInto(bundle, "reading the tree",
                    bar -> Packer.packLayer(source, bundle, options, keys, terms, bar));
        } else if (source.toString().equals("-") || java.nio.file.Files.isRegularFile(source)) {
            // An archive is packed as it is read: its module files are compressed as they stream out of it, so
            // the bundle's default name gets the kernel version only at the end.
            java.util.function.Function<String, Path> bundle = version -> output != null ? output
                    : Path.of("modules-" + version + ".kpack");
            java.util.concurrent.atomic.AtomicReference<String> directory = new java.util.concurrent.atomic.AtomicReference<>();
            java.util.function.Consumer<ArchiveTree> read = tree -> {
                directory.set(tree.directoryName());
                describe(tree, out);
            };
            result = packInto(bundle.apply(kernelVersion != null ? kernelVersion : "KVER"), "reading and compressing",
                    bar -> source.toString().equals("-")
                            ? Packer.packArchive(System.in, "stdin", bundle, options, keys, terms, bar, read)
                            : Packer.packArchive(source, bundle, options, keys, terms, bar, read));
            reportProblems(result, directory.get());
        } else {
            try (TreeSource tree = TreeSource.of(source, kernelVersion)) {
                Path bundle = output != null ? output : Path.of("modules-" + tree.kernelVersion() + ".kpack");
                describe(tree, out);
                result = packInto(bundle, "compressing", bar -> Packer.pack(tree, bundle, options, keys, terms, bar));
                reportProblems(result, moduleDirectoryName(tree));
            }
        }
        if (progress.quiet) {
            return 0;
        }
        out.printf(Locale.ROOT, "%s: %d files, %s packed into %s (%.1f %%) in %.1f s, kernel %s, %s%n",
                result.bundle(), result.files(), Sizes.human(result.inputBytes()), Sizes.human(result.bundleBytes()),
                100 * result.ratio(), result.elapsed().toMillis() / 1000.0, result.kernelVersion(),
                layer ? "layer (merge it over a base with --layer)"
                        : result.indexedModules() < 0
                        ? "no module index (no modules.dep.bin: run depmod on the tree for modprobe/modinfo lookups)"
                        : "module index of " + result.indexedModules() + " modules");
        reportKernelSymbols(result, out);
        result.firmware().ifPresent(found -> out.printf(Locale.ROOT,
                "%s: firmware: %d files, %s, for %d names asked for; %d missing%s%n", result.bundle(), found.files(),
                Sizes.human(found.bytes()), found.names(), found.missing().size(),
                found.missing().isEmpty() ? "" : " (kmodpack ls --firmware lists them)"));
        for (SigningKey key : keys) {
            out.printf(Locale.ROOT, "%s: signed by %s%n", result.bundle(), key.describe());
        }
        return 0;
    }

    /** The symbols of --system-map or --symvers, with the lines depmod would skip reported in its words. */
    private Optional<KernelSymbols> readKernelSymbols() throws java.io.IOException {
        if (kernelSymbolFile == null) {
            return Optional.empty();
        }
        boolean symvers = kernelSymbolFile.symvers != null;
        Path file = symvers ? kernelSymbolFile.symvers : kernelSymbolFile.systemMap;
        byte[] contents;
        try {
            contents = java.nio.file.Files.readAllBytes(file);
        } catch (java.io.IOException e) {
            throw new java.io.IOException(file + ": cannot be read (" + e.getMessage() + "); give the kernel's "
                    + (symvers ? "Module.symvers" : "System.map"), e);
        }
        List<KmodProblem> problems = new ArrayList<>();
        KernelSymbols symbols = symvers
                ? KernelSymbols.fromSymvers(file.toString(), contents, DepmodOptions.NO_SYMBOL_PREFIX, problems::add)
                : KernelSymbols.fromSystemMap(file.toString(), contents, DepmodOptions.NO_SYMBOL_PREFIX, problems::add);
        PrintWriter err = err();
        problems.forEach(problem -> err.println(DepmodMessages.message(problem, "")));
        err.flush();
        if (symbols.count() == 0) {
            throw new java.io.IOException(file + ": lists no symbols the kernel exports ("
                    + (symvers ? "no line of module vmlinux" : "no __ksymtab_ symbol; Debian's /boot/System.map is a "
                    + "placeholder, the real one is in the -dbg package") + "); give linux-headers' Module.symvers "
                    + "with --symvers");
        }
        return Optional.of(symbols);
    }

    /** What depmod -e reports about the tree's modules against the kernel's symbols, in kmod's words. */
    private void reportProblems(PackResult result, String moduleDir) {
        PrintWriter err = err();
        for (KmodProblem problem : result.kernelSymbols().problems()) {
            err.println(DepmodMessages.message(problem, moduleDir));
        }
        err.flush();
    }

    /** What was recorded of the kernel's symbols, and how many problems depmod -e reported against them. */
    private void reportKernelSymbols(PackResult result, PrintWriter out) {
        PackResult.KernelSymbolsRecord symbols = result.kernelSymbols();
        String from = symbols.fromSource().map(file -> " of the package's " + file).orElse("");
        if (symbols.recorded().isPresent()) {
            PackResult.Recorded recorded = symbols.recorded().get();
            out.printf(Locale.ROOT, "%s: kernel symbols: %d exports from %s recorded; the modules checked as "
                    + "depmod -e does: %d unknown symbols, %d version mismatches%n", result.bundle(), recorded.count(),
                    recorded.source().label() + from, count(symbols, KmodProblem.Kind.SYMBOL_UNKNOWN),
                    count(symbols, KmodProblem.Kind.SYMBOL_VERSION_MISMATCH));
        } else if (symbols.fromSource().isPresent()) {
            out.printf(Locale.ROOT, "%s: kernel symbols: none recorded: the package's %s lists no exports (Debian's "
                    + "is a placeholder); give --symvers with linux-headers' Module.symvers so that layers are "
                    + "checked%n", result.bundle(), symbols.fromSource().get());
        }
    }

    private static long count(PackResult.KernelSymbolsRecord symbols, KmodProblem.Kind kind) {
        return symbols.problems().stream().filter(problem -> problem.kind() == kind).count();
    }

    private static String moduleDirectoryName(TreeSource tree) {
        return tree instanceof ArchiveTree archive ? archive.directoryName() : tree.moduleDirectory().toString();
    }

    /** {@code value}, or a failure that names the option as the user gave it. */
    private static PackOptions option(String given, java.util.function.Supplier<PackOptions> value) {
        try {
            return value.get();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(given + ": " + e.getMessage(), e);
        }
    }

    /** Runs {@code job} under the progress bar; failures name {@code bundle}, the user's path, not a temp file. */
    private PackResult packInto(Path bundle, String stage, ProgressOptions.Job<PackResult> job)
            throws java.io.IOException {
        if (output == null) {
            OutputFile.checkWritable(bundle);
        }
        try {
            return progress.during(err(), "packing " + source + ": " + stage, "files", job);
        } catch (java.io.IOException e) {
            throw OutputFile.named(bundle, e);
        }
    }

    /**
     * The warnings of the depmod that indexed a tree without modules.dep, in kmod's words, and what was taken
     * from an archive or made for a directory.
     */
    private void describe(TreeSource tree, PrintWriter out) {
        String moduleDir = moduleDirectoryName(tree);
        PrintWriter err = err();
        for (KmodProblem problem : tree.indexProblems()) {
            err.println(DepmodMessages.message(problem, moduleDir));
        }
        err.flush();
        if (progress.quiet) {
            return;
        }
        String indexed = tree.indexTime()
                .map(time -> "no modules.dep: index files written by kmodpack depmod, dated " + time).orElse("");
        if (tree instanceof ArchiveTree archive) {
            long ignored = archive.ignoredMembers();
            out.printf(Locale.ROOT, "%s from the archive, %d member%s outside it ignored%s%n", moduleDir, ignored,
                    ignored == 1 ? "" : "s", indexed.isEmpty() ? "" : "; " + indexed);
        } else if (!indexed.isEmpty()) {
            out.printf(Locale.ROOT, "%s: %s (made in memory: nothing written into the tree)%n", moduleDir, indexed);
        }
    }

    private static CompressionLevel parseLevel(String level) {
        if (level == null) {
            return CompressionLevel.DEFAULT;
        }
        if (level.equalsIgnoreCase("max")) {
            return CompressionLevel.STRONGEST;
        }
        try {
            return CompressionLevel.of(Integer.parseInt(level));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("takes a number or 'max'");
        }
    }
}
