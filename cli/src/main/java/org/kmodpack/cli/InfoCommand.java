package org.kmodpack.cli;

import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.kmodpack.format.LayerSection;
import org.kmodpack.reader.Bundle;
import org.kmodpack.reader.BundleInfo;
import org.kmodpack.reader.TrustPolicy;
import org.kmodpack.reader.Verification;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "info", mixinStandardHelpOptions = true,
        description = "Show a bundle's kernel version, counts, sizes, codec and ratio.")
final class InfoCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "BUNDLE")
    String bundleLocation;

    @Mixin
    TrustOptions trust;

    @Option(names = "--json", description = "One JSON object, for scripts.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        BundleInfo info;
        Verification signatures;
        Optional<LayerSection> layer;
        try (Bundle bundle = trust.open(bundleLocation)) {
            info = bundle.info();
            layer = bundle.layer();
            // Only to count them and show the serial: whether they are trusted is verify's (or --trust's) job.
            signatures = bundle.verifySignatures(TrustPolicy.allowingUnsigned());
        }
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            out.println(String.format(Locale.ROOT, "{\"bundle\":%s,\"format_version\":%s,\"kernel_version\":%s,"
                    + "\"codec\":%s,\"level\":%d,\"block_size\":%d,\"blocks\":%d,\"directories\":%d,\"files\":%d,"
                    + "\"symlinks\":%d,\"file_bytes\":%d,\"data_bytes\":%d,\"stored_data_bytes\":%d,"
                    + "\"index_bytes\":%d,\"bundle_bytes\":%d,\"ratio\":%.4f}",
                    quote(bundleLocation), quote(info.formatVersion()), quote(info.kernelVersion()),
                    quote(info.codec().label()), info.level(), info.blockSize(), info.blockCount(),
                    info.directories(), info.files(), info.symlinks(), info.fileBytes(), info.dataLength(),
                    info.storedDataLength(), info.indexLength(), info.bundleLength(), info.ratio()));
        } else {
            out.printf(Locale.ROOT, "bundle:          %s%n", bundleLocation);
            out.printf(Locale.ROOT, "format version:  %s%n", info.formatVersion());
            out.printf(Locale.ROOT, "kernel version:  %s%n", info.kernelVersion());
            out.printf(Locale.ROOT, "codec:           %s level %d, %d blocks of %d bytes%n", info.codec().label(),
                    info.level(), info.blockCount(), info.blockSize());
            out.printf(Locale.ROOT, "entries:         %d files, %d directories, %d symlinks%n", info.files(),
                    info.directories(), info.symlinks());
            out.printf(Locale.ROOT, "files:           %s (%s distinct content)%n", Sizes.human(info.fileBytes()),
                    Sizes.human(info.dataLength()));
            out.printf(Locale.ROOT, "bundle:          %s (%s data, %s index)%n", Sizes.human(info.bundleLength()),
                    Sizes.human(info.storedDataLength()), Sizes.human(info.indexLength()));
            out.printf(Locale.ROOT, "ratio:           %.1f %%%n", 100 * info.ratio());
            out.printf(Locale.ROOT, "signatures:      %s%n", !signatures.signed() ? "none (unsigned)"
                    : signatures.signatures().size() + ", serial " + signatures.serial() + ", expires "
                            + signatures.expires().map(Object::toString).orElse("never")
                            + (trust.given() ? ", trusted" : "; check them with kmodpack verify --trust"));
            if (layer.isPresent()) {
                String order = new String(layer.get().order(), StandardCharsets.UTF_8);
                out.printf(Locale.ROOT, "layer:           for kernel %s, modules in order: %s%n", info.kernelVersion(),
                        order.isEmpty() ? "none" : String.join(" ", order.split("\n")));
                out.printf(Locale.ROOT, "layer depmod.d:  %s%n", layer.get().config().isEmpty() ? "none"
                        : String.join(" ", layer.get().config().stream().map(LayerSection.ConfigFile::name).toList()));
            }
        }
        out.flush();
        return 0;
    }

    private static String quote(String s) {
        StringBuilder b = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                default -> {
                    if (c < 0x20) {
                        b.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.append('"').toString();
    }
}
