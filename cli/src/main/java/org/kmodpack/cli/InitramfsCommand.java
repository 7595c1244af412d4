package org.kmodpack.cli;

import com.github.luben.zstd.ZstdOutputStream;
import java.io.BufferedOutputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.function.Consumer;
import java.util.zip.GZIPOutputStream;
import org.kmodpack.initramfs.Initramfs;
import org.kmodpack.modules.KmodProblem;
import org.kmodpack.modules.ModuleIndex;
import org.kmodpack.reader.Bundle;
import org.tukaani.xz.LZMA2Options;
import org.tukaani.xz.XZ;
import org.tukaani.xz.XZOutputStream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "initramfs", mixinStandardHelpOptions = true,
        description = {"Write an initramfs (newc cpio) holding the modules NAMEs need.",
            "Dependencies and softdeps included, at lib/modules/KVER with modules.dep, modules.alias and their "
                + ".bin files restricted to them, so modprobe inside the initramfs finds them. The same input "
                + "gives the same bytes. The bundle must be signed by a trusted key (--trust) unless "
                + "--allow-unsigned."},
        footer = {"", "Examples:", "  kmodpack initramfs modules.kpack btrfs -o btrfs.cpio.zst",
            "  kmodpack initramfs modules.kpack virtio_pci 9pnet_virtio 9p -o 9p.cpio --compress none"})
final class InitramfsCommand extends Subcommand {
    @Mixin
    SystemBundleArgument bundleArgument;

    @Parameters(index = "1..*", arity = "1..*", paramLabel = "NAME|MODALIAS",
            description = "Module names or aliases (pci:v..., fs-btrfs) as modprobe takes them.")
    List<String> names;

    @Option(names = {"-o", "--output"}, required = true, paramLabel = "FILE", description = "The file to write.")
    Path output;

    @Option(names = "--compress", paramLabel = "zstd|xz|gzip|none", defaultValue = "zstd",
            description = "Compression the kernel unpacks (default zstd; xz with CRC32 checks as the kernel "
                    + "requires).")
    String compress;

    @Mixin
    ProgressOptions progress;

    @Override
    public Integer call() throws Exception {
        if (!List.of("zstd", "xz", "gzip", "none").contains(compress)) {
            throw usageError("--compress takes zstd, xz, gzip or none, not " + compress);
        }
        OutputFile.checkWritable(output);
        long start = System.nanoTime();
        try (LayerOptions.Opened opened = bundleArgument.openForSystem(err())) {
            Bundle bundle = opened.bundle();
            ModuleIndex index = ModuleIndex.of(bundle);
            String moduleDir = index.moduleDirectory("");
            var err = err();
            Consumer<KmodProblem> problems = p -> err.println(KmodProblems.message(p));
            Initramfs initramfs = new Initramfs(bundle, index,
                    index.modprobe(index.loadConfig(null, moduleDir, problems), moduleDir, problems));
            List<String> modules = initramfs.closure(names);
            Path absolute = output.toAbsolutePath();
            Path temporary = Files.createTempFile(absolute.getParent(), "." + absolute.getFileName(), ".tmp");
            int files;
            try {
                files = progress.during(err, "writing " + output + ": " + modules.size() + " modules", "files", bar -> {
                    try (OutputStream out = compressor(new BufferedOutputStream(Files.newOutputStream(temporary)))) {
                        return initramfs.write(modules, out, bar);
                    }
                });
                Files.move(temporary, absolute, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (java.io.IOException e) {
                throw OutputFile.named(output, e);
            } finally {
                Files.deleteIfExists(temporary);
            }
            progress.summary(out(), "%s: %d modules, %d files, %d bytes (%s) in %.2f s%n", output,
                    modules.size(), files, Files.size(absolute), compress, (System.nanoTime() - start) / 1e9);
            return 0;
        }
    }

    private OutputStream compressor(OutputStream file) throws java.io.IOException {
        return switch (compress) {
            case "zstd" -> new ZstdOutputStream(file, 19);
            // The kernel's xz decoder checks CRC32 only (and none): not xz's default CRC64.
            case "xz" -> new XZOutputStream(file, new LZMA2Options(6), XZ.CHECK_CRC32);
            case "gzip" -> new GZIPOutputStream(file);
            default -> file;
        };
    }
}
