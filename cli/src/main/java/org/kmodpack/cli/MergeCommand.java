package org.kmodpack.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.kmodpack.modules.KernelSymbols;
import org.kmodpack.modules.KmodProblem;
import org.kmodpack.packer.LayerUnion;
import org.kmodpack.packer.PackOptions;
import org.kmodpack.packer.PackResult;
import org.kmodpack.packer.SigningKey;
import org.kmodpack.packer.StatementTerms;
import org.kmodpack.reader.Bundle;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "merge", mixinStandardHelpOptions = true,
        description = {"Bake a base bundle and its layers into one bundle.",
            "The result holds the tree kmodpack pack makes of the unpacked union after depmod (the union's "
                + "modules.order: the base's, then each layer's). The base and every layer must verify under "
                + "the trust options, as for modprobe. When the base records the kernel's symbols, a module "
                + "needing a symbol nothing in the union exports is refused, as for modprobe, and the result "
                + "records them too."},
        footer = {"", "Example:",
            "  kmodpack merge modules-6.1.0-28-amd64.kpack nvidia.kpack zfs.kpack -o merged.kpack --sign release.key"})
final class MergeCommand extends Subcommand {
    @Parameters(index = "0", paramLabel = "BASE", description = "The base bundle: a kernel's whole module tree.")
    String baseLocation;

    @Parameters(index = "1..*", arity = "1..*", paramLabel = "LAYER", description = "Layer bundles, in order.")
    List<String> layerLocations;

    @Option(names = {"-o", "--output"}, paramLabel = "BUNDLE", required = true, description = "Bundle to write.")
    Path output;

    @Option(names = "--allow-shadow",
            description = "Let a later layer replace a file of an earlier one (otherwise refused).")
    boolean allowShadow;

    @Option(names = "--layer-trust", paramLabel = "FILE|DIR",
            description = "Also trust the keys and certificates in FILE, or in the files of DIR, for the layers only; "
                    + "they never make BASE trusted. Repeatable.")
    List<Path> layerTrust = new ArrayList<>();

    @Mixin
    SigningOptions signing;

    @Mixin
    SystemTrustOptions trust;

    @Override
    public Integer call() throws Exception {
        StatementTerms terms = signing.terms();
        List<SigningKey> keys = signing.keys();
        PrintWriter out = out();
        PrintWriter err = err();
        List<Bundle> layers = new ArrayList<>();
        try (Bundle base = trust.open(baseLocation, Bundle.DEFAULT_CACHE_BYTES)) {
            for (String location : layerLocations) {
                layers.add(trust.open(location, Bundle.DEFAULT_CACHE_BYTES, layerTrust));
            }
            LayerUnion union = LayerUnion.of(base, layers, allowShadow);
            LayerOptions.checkSymbols(base, union, trust.signatures.source.cacheDirectoryOrDefault(), err);
            String moduleDir = "/lib/modules/" + union.kernelVersion();
            // The union is a base like any other: it keeps the kernel's symbols, to check layers merged over it.
            PackOptions options = PackOptions.defaults().withKernelSymbols(base.kernelSymbols()
                    .map(KernelSymbols::new));
            PackResult result = union.pack(output, options, keys, terms, org.kmodpack.packer.PackProgress.NONE,
                    (KmodProblem problem) -> err.println(DepmodMessages.message(problem, moduleDir)));
            out.printf(Locale.ROOT, "%s: %d files, %s, kernel %s, module index of %d modules, from %s and %d "
                    + "layer%s%n", result.bundle(), result.files(), Sizes.human(result.bundleBytes()),
                    result.kernelVersion(), result.indexedModules(), base, layers.size(), layers.size() == 1 ? "" : "s");
            for (SigningKey key : keys) {
                out.printf(Locale.ROOT, "%s: signed by %s%n", result.bundle(), key.describe());
            }
            return 0;
        } finally {
            for (Bundle layer : layers) {
                layer.close();
            }
        }
    }
}
