package org.kmodpack.cli;

import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.kmodpack.format.KernelSymbolSection;
import org.kmodpack.format.LayerSection;
import org.kmodpack.format.ModuleSection;
import org.kmodpack.modules.FirmwareFiles;
import org.kmodpack.reader.Bundle;
import org.kmodpack.reader.BundleInfo;
import org.kmodpack.reader.SignatureStatus;
import org.kmodpack.reader.TrustPolicy;
import org.kmodpack.reader.Verification;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "info", mixinStandardHelpOptions = true,
        description = "Show a bundle's kernel version, counts, sizes, codec and ratio.")
final class InfoCommand extends Subcommand {
    @Mixin
    BundleArgument bundleArgument;

    @Option(names = "--json", description = "One JSON object, for scripts.")
    boolean json;

    @Mixin
    LayerOptions layers;

    @Override
    public Integer call() throws Exception {
        BundleInfo info;
        Verification signatures;
        long modinfoBytes;
        Integer modules;
        Optional<LayerSection> layer;
        Optional<KernelSymbolSection> kernelSymbols;
        Optional<FirmwareFiles.Wants> firmware;
        Map<String, List<String>> layerModules;
        boolean mergesAtLookupTime;
        try (LayerOptions.Opened union = layers.open(bundleArgument.location,
                bundleArgument.trust.source.cacheDirectoryOrDefault(), bundleArgument.trust::open)) {
            Bundle opened = union.base();
            layerModules = union.layerModules();
            mergesAtLookupTime = union.mergesAtLookupTime();
            info = opened.info();
            layer = opened.layer();
            kernelSymbols = opened.kernelSymbols();
            // Only to list them and show the serial: whether they are trusted is verify's (or --trust's) job.
            signatures = opened.verifySignatures(TrustPolicy.allowingUnsigned());
            modinfoBytes = opened.modules().map(ModuleSection::modinfoLength).orElse(0L);
            modules = opened.modules().map(ModuleSection::moduleCount).orElse(null);
            firmware = opened.hasFirmware() ? Optional.of(FirmwareFiles.wants(opened)) : Optional.empty();
        }
        PrintWriter out = out();
        long distinct = info.dataLength() - modinfoBytes;
        if (json) {
            Map<String, Object> object = new LinkedHashMap<>();
            object.put("bundle", bundleArgument.location);
            object.put("format_version", info.formatVersion());
            object.put("kernel_version", info.kernelVersion());
            object.put("codec", info.codec().label());
            object.put("level", info.level());
            object.put("block_size", info.blockSize());
            object.put("blocks", info.blockCount());
            object.put("directories", info.directories());
            object.put("files", info.files());
            object.put("symlinks", info.symlinks());
            object.put("file_bytes", info.fileBytes());
            object.put("data_bytes", info.dataLength());
            object.put("stored_data_bytes", info.storedDataLength());
            object.put("index_bytes", info.indexLength());
            object.put("bundle_bytes", info.bundleLength());
            object.put("ratio", info.ratio());
            object.put("distinct_file_bytes", distinct);
            object.put("modinfo_bytes", modinfoBytes);
            object.put("modules", modules);
            object.put("signed", signatures.signed());
            object.put("serial", signatures.signed() ? signatures.serial() : null);
            object.put("expires", signatures.expires().map(Object::toString).orElse(null));
            object.put("trusted", bundleArgument.trust.given());
            List<Object> signers = new ArrayList<>();
            for (SignatureStatus signature : signatures.signatures()) {
                Map<String, Object> signer = new LinkedHashMap<>();
                signer.put("number", signature.number());
                signer.put("kind", signature.kind());
                signer.put("signer", signature.signer());
                signers.add(signer);
            }
            object.put("signers", signers);
            if (layer.isPresent()) {
                Map<String, Object> layerObject = new LinkedHashMap<>();
                String order = new String(layer.get().order(), StandardCharsets.UTF_8);
                layerObject.put("order", order.isEmpty() ? List.of() : List.of(order.split("\n")));
                layerObject.put("depmod_d", layer.get().config().stream().map(LayerSection.ConfigFile::name).toList());
                object.put("layer", layerObject);
            }
            kernelSymbols.ifPresent(symbols -> {
                Map<String, Object> symbolObject = new LinkedHashMap<>();
                symbolObject.put("count", symbols.count());
                symbolObject.put("source", symbols.source().label());
                object.put("kernel_symbols", symbolObject);
            });
            firmware.ifPresent(wants -> object.put("firmware", firmwareJson(info, wants)));
            if (!layerModules.isEmpty()) {
                List<Object> layerObjects = new ArrayList<>();
                layerModules.forEach((name, paths) -> layerObjects.add(new LinkedHashMap<>(Map.of("bundle", name,
                        "modules", paths))));
                object.put("layers", layerObjects);
                object.put("merged_at_lookup_time", mergesAtLookupTime);
            }
            out.println(Json.write(object));
        } else {
            out.printf(Locale.ROOT, "bundle:          %s%n", bundleArgument.location);
            out.printf(Locale.ROOT, "format version:  %s%n", info.formatVersion());
            out.printf(Locale.ROOT, "kernel version:  %s%n", info.kernelVersion());
            out.printf(Locale.ROOT, "codec:           %s level %d, %d blocks of %d bytes%n", info.codec().label(),
                    info.level(), info.blockCount(), info.blockSize());
            out.printf(Locale.ROOT, "entries:         %d files, %d directories, %d symlinks%n", info.files(),
                    info.directories(), info.symlinks());
            out.printf(Locale.ROOT, "modules:         %s%n", modules == null
                    ? "no module index (packed without modules.dep.bin)"
                    : modules + " in the module index (" + Sizes.human(modinfoBytes) + " of module information)");
            out.printf(Locale.ROOT, "file contents:   %s; %s with identical files counted once%n",
                    Sizes.human(info.fileBytes()), Sizes.human(distinct));
            out.printf(Locale.ROOT, "size:            %s: %s of compressed blocks, %s of index%n",
                    Sizes.human(info.bundleLength()), Sizes.human(info.storedDataLength()),
                    Sizes.human(info.indexLength()));
            out.printf(Locale.ROOT, "ratio:           %.1f %%%n", 100 * info.ratio());
            out.printf(Locale.ROOT, "signatures:      %s%n", !signatures.signed() ? "none (unsigned)"
                    : signatures.signatures().size() + ", serial " + signatures.serial() + ", expires "
                            + signatures.expires().map(Object::toString).orElse("never")
                            + (bundleArgument.trust.given() ? ", trusted"
                                    : "; check them with kmodpack verify --trust"));
            for (SignatureStatus signature : signatures.signatures()) {
                out.printf(Locale.ROOT, "signer %d:        %s %s%n", signature.number(), signature.kind(),
                        signature.signer());
            }
            if (layer.isEmpty()) {
                out.printf(Locale.ROOT, "kernel symbols:  %s%n", kernelSymbols.map(symbols -> symbols.count()
                        + " exports from " + symbols.source().label() + ": layers' modules are checked against them")
                        .orElse("none recorded: layers' modules are not checked (pack with --system-map or "
                                + "--symvers)"));
            }
            firmware.ifPresent(wants -> out.printf(Locale.ROOT, "firmware:        %d files, %s; %d names the "
                    + "modules ask for are missing%n", info.firmwareFiles(), Sizes.human(info.firmwareBytes()),
                    wants.missing().size()));
            if (layer.isPresent()) {
                String order = new String(layer.get().order(), StandardCharsets.UTF_8);
                out.printf(Locale.ROOT, "layer:           for kernel %s, modules in order: %s%n", info.kernelVersion(),
                        order.isEmpty() ? "none" : String.join(" ", order.split("\n")));
                out.printf(Locale.ROOT, "layer depmod.d:  %s%n", layer.get().config().isEmpty() ? "none"
                        : String.join(" ", layer.get().config().stream().map(LayerSection.ConfigFile::name).toList()));
            }
            int number = 0;
            for (Map.Entry<String, List<String>> over : layerModules.entrySet()) {
                out.printf(Locale.ROOT, "%-17s%s: %d modules: %s%n", "layer " + ++number + ":", over.getKey(),
                        over.getValue().size(), String.join(" ", over.getValue()));
            }
            if (!layerModules.isEmpty()) {
                out.printf(Locale.ROOT, "lookups:         %s%n", mergesAtLookupTime
                        ? "the base's index merged with the layers' modules at lookup time"
                        : "the union indexed whole (the layers change base modules' dependencies or bring depmod.d)");
            }
        }
        out.flush();
        return 0;
    }

    /** The firmware tree's counts, the files the modules ask for (with who asks) and the names it lacks. */
    private static Map<String, Object> firmwareJson(BundleInfo info, FirmwareFiles.Wants wants) {
        Map<String, Object> object = new LinkedHashMap<>();
        object.put("files", info.firmwareFiles());
        object.put("bytes", info.firmwareBytes());
        object.put("wanted", pathsWithModules(wants.files()));
        object.put("missing", pathsWithModules(wants.missing()));
        return object;
    }

    private static List<Object> pathsWithModules(Map<String, ? extends java.util.Set<String>> byPath) {
        List<Object> list = new ArrayList<>();
        byPath.forEach((path, modules) -> {
            Map<String, Object> item = new LinkedHashMap<>();
            item.put("path", path);
            item.put("modules", List.copyOf(modules));
            list.add(item);
        });
        return list;
    }
}
