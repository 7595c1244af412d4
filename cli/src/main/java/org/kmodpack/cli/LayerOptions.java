package org.kmodpack.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.kmodpack.packer.LayerUnion;
import org.kmodpack.reader.Bundle;
import picocli.CommandLine.Option;

/**
 * The --layer options of the commands that look modules up: the bundle they read is the base alone, or the union
 * of the base and its layers, indexed as kmod's depmod indexes the unpacked union.
 */
final class LayerOptions {
    @Option(names = "--layer", paramLabel = "LAYER",
            description = "Merge this layer bundle (kmodpack pack DIR --layer) over BUNDLE; repeatable, later layers "
                    + "over earlier ones. Answers are kmod's on the union after depmod.")
    List<String> layers = new ArrayList<>();

    @Option(names = "--layer-trust", paramLabel = "FILE|DIR",
            description = "Also trust the keys and certificates in FILE, or in the files of DIR, for --layer bundles "
                    + "only (a local DKMS key, say); they never make BUNDLE trusted. Repeatable.")
    List<Path> layerTrust = new ArrayList<>();

    @Option(names = "--allow-shadow",
            description = "Let a later --layer replace a file of an earlier one (otherwise refused).")
    boolean allowShadow;

    /** Opens a bundle the way the command trusts bundles, trusting {@code extraKeys} (files or folders) too. */
    interface Opener {
        Bundle open(String location, List<Path> extraKeys) throws IOException;
    }

    /**
     * The bundle to read, and what closing it releases: the base itself, or the union (built once, then cached).
     * {@code layerOrigins} names, for each file and symlink a layer brings, that layer as the user named it.
     */
    record Opened(Bundle bundle, Map<String, String> layerOrigins) implements AutoCloseable {
        /** The layer a file or symlink of the union comes from, as the user named it; null for the base's. */
        String layerOf(String path) {
            return layerOrigins.get(path);
        }

        @Override
        public void close() throws IOException {
            bundle.close();
        }
    }

    /**
     * {@code baseLocation} opened by {@code opener}, or with --layer the union of it and the layers, each opened
     * by {@code opener} trusting the --layer-trust keys too. depmod's warnings about the union are not printed:
     * kmod's modprobe, whose answers these are, prints none either (kmodpack merge prints them).
     */
    Opened open(String baseLocation, Opener opener) throws IOException {
        Bundle base = opener.open(baseLocation, List.of());
        if (layers.isEmpty()) {
            return new Opened(base, Map.of());
        }
        List<Bundle> opened = new ArrayList<>();
        try {
            for (String layer : layers) {
                opened.add(opener.open(layer, layerTrust));
            }
            LayerUnion union = LayerUnion.of(base, opened, allowShadow);
            Map<String, String> fromLayers = new HashMap<>();
            union.origins().forEach((path, origin) -> {
                if (origin != base) {
                    fromLayers.put(path, origin.toString());
                }
            });
            return new Opened(union.open(SourceOptions.defaultCacheDirectory(), problem -> { }), fromLayers);
        } finally {
            for (Bundle layer : opened) {
                layer.close();
            }
            base.close();
        }
    }
}
