package org.kmodpack.modules;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.kmodpack.format.KernelSymbolSection;
import org.kmodpack.format.ModuleContent.Value;
import org.kmodpack.format.ModuleSection;
import org.kmodpack.format.ModuleSection.KeyTable;
import org.kmodpack.format.Sha256;
import org.kmodpack.reader.Bundle;

/**
 * What depmod -e -F System.map (or -E Module.symvers) would report on the union of a base and its layers about the
 * modules the layers change, from the kernel's exports the base recorded (spec section 18), the base's MODULES
 * section and the layers' module files: each symbol a layer's module needs that neither the kernel nor a module of
 * the union exports; with Module.symvers, each version it needs that differs from the exporter's; and each symbol a
 * base module needs that only a base module a layer overrides exported. The base's own modules are not read, but
 * for those last (the users of an overridden module) and, with versions, the base modules whose exports a layer
 * module needs.
 */
public final class UnionSymbolCheck {
    /**
     * A union that passed is recorded in {@code CACHE/symbol-checks/KEY} ({@link #unionKey}): each modprobe --layer
     * and each mount of the same bundles would check it again. Only a pass is kept, so a refusal is always told.
     */
    private static final String PASSED = "kmodpack symbol check 1: passed";
    /** A problem depmod -e reports, {@code subject} a module path, and the layer that brings it about. */
    public record Unresolved(Bundle layer, KmodProblem problem) {
    }

    private final Bundle base;
    private final ModuleSection section;
    private final KernelSymbolSection kernel;
    /** The union's layer modules (the files depmod's search order chooses), by path, in path order. */
    private final Map<String, Bundle> layerModules = new LinkedHashMap<>();
    /** Their symbols, by path. */
    private final Map<String, ModuleSymbols> layerSymbols = new HashMap<>();
    /** The symbols the layer modules export, each with the last exporter's path. */
    private final Map<String, String> layerExports = new HashMap<>();
    /** Base modules a layer module overrides, by name, with the path of the layer module that does. */
    private final Map<String, String> overridden = new TreeMap<>();
    /** Versions of base modules' exports, by module path, read when first needed. */
    private final Map<String, Map<String, Long>> baseExportVersions = new HashMap<>();
    private final Path cacheDirectory;

    private UnionSymbolCheck(Bundle base, ModuleSection section, KernelSymbolSection kernel, Path cacheDirectory) {
        this.base = base;
        this.section = section;
        this.kernel = kernel;
        this.cacheDirectory = cacheDirectory;
    }

    /**
     * The problems on the union of {@code base} and the layers' files {@code layerFiles} (by path, each with the
     * layer it comes from, a later layer's over an earlier one's) under the layers' depmod.d {@code config}, module
     * by module in path order (the layers' first, then the base users of overridden modules); empty when the base
     * records no kernel symbols (or has no module index), so nothing can be checked. {@code cacheDirectory} (null
     * for none) keeps the versions of the base modules' exports that were needed ({@link ExportVersions}) and the
     * unions that passed.
     */
    public static Optional<List<Unresolved>> check(Bundle base, Map<String, Bundle> layerFiles,
            List<DepmodConfig.ConfigText> config, Path cacheDirectory) throws IOException {
        Path passed = cacheDirectory == null ? null : cacheDirectory.resolve("symbol-checks")
                .resolve(HexFormat.of().formatHex(unionKey(base, layerFiles, config)));
        if (passed != null && CacheRecord.read(passed).filter(List.of(PASSED)::equals).isPresent()) {
            return Optional.of(List.of());
        }
        Optional<KernelSymbolSection> kernel = base.kernelSymbols();
        if (kernel.isEmpty()) {
            return Optional.empty();
        }
        Optional<ModuleSection> section = base.modules();
        if (section.isEmpty()) {
            return Optional.empty();
        }
        UnionSymbolCheck check = new UnionSymbolCheck(base, section.get(), kernel.get(), cacheDirectory);
        check.chooseModules(layerFiles, DepmodConfig.parse(config, base.kernelVersion(), problem -> { }));
        List<Unresolved> found = new ArrayList<>();
        check.checkLayerModules(found);
        check.checkOverriddenUsers(found);
        if (found.isEmpty() && passed != null) {
            CacheRecord.write(passed, PASSED + "\n");
        }
        return Optional.of(found);
    }

    /**
     * What the check's answer depends on: the base's index and each layer file's bundle's, which commit to every
     * byte of their trees and to the kernel's symbols the base records, and the layers' depmod.d files.
     */
    private static byte[] unionKey(Bundle base, Map<String, Bundle> layerFiles, List<DepmodConfig.ConfigText> config) {
        MessageDigest digest = Sha256.newDigest();
        digest.update(PASSED.getBytes(StandardCharsets.UTF_8));
        digest.update(base.indexSha256());
        new TreeMap<>(layerFiles).forEach((path, layer) -> {
            digest.update((path + '\0').getBytes(StandardCharsets.UTF_8));
            digest.update(layer.indexSha256());
        });
        for (DepmodConfig.ConfigText file : config) {
            digest.update((file.name() + '\0' + file.text().length() + '\0' + file.text())
                    .getBytes(StandardCharsets.UTF_8));
        }
        return digest.digest();
    }

    /** The layer modules depmod takes for the union: of each name, the file its search order prefers. */
    private void chooseModules(Map<String, Bundle> layerFiles, DepmodConfig config) throws IOException {
        Map<String, List<String>> byName = new LinkedHashMap<>();
        for (String path : layerFiles.keySet()) {
            if (ModuleNames.isModuleFile(path)) {
                byName.computeIfAbsent(ModuleNames.fromPath(path), name -> new ArrayList<>()).add(path);
            }
        }
        Set<String> chosenPaths = new TreeSet<>();
        for (Map.Entry<String, List<String>> named : byName.entrySet()) {
            List<String> candidates = new ArrayList<>(named.getValue());
            int inBase = section.findModule(named.getKey());
            if (inBase >= 0) {
                candidates.add(section.modulePath(inBase));
            }
            String chosen = ModuleSearch.choose(candidates, config).get(named.getKey());
            if (chosen == null || !layerFiles.containsKey(chosen)) {
                continue;
            }
            chosenPaths.add(chosen);
            if (inBase >= 0) {
                overridden.put(named.getKey(), chosen);
            }
        }
        for (String path : chosenPaths) {
            Bundle layer = layerFiles.get(path);
            ModuleSymbols symbols = ModuleSymbols.read(layer, path);
            layerModules.put(path, layer);
            layerSymbols.put(path, symbols);
            symbols.exports().forEach(export -> layerExports.put(export.name(), path));
        }
    }

    /** Every symbol each layer module needs, against the union's exporters. */
    private void checkLayerModules(List<Unresolved> found) throws IOException {
        for (Map.Entry<String, Bundle> module : layerModules.entrySet()) {
            String path = module.getKey();
            for (ModuleSymbols.Symbol needed : layerSymbols.get(path).imports()) {
                if (needed.weak()) {
                    continue;
                }
                Optional<Long> version = exportedVersion(needed.name());
                if (version.isEmpty()) {
                    found.add(new Unresolved(module.getValue(), new KmodProblem(KmodProblem.Kind.SYMBOL_UNKNOWN,
                            path, 0, needed.name())));
                } else if (kernel.hasVersions() && version.get() != needed.crc()) {
                    found.add(new Unresolved(module.getValue(), new KmodProblem(
                            KmodProblem.Kind.SYMBOL_VERSION_MISMATCH, path, 0, needed.name())));
                }
            }
        }
    }

    /**
     * The version of the union's exporter of {@code needed} (depmod's table: the kernel's, replaced by a base
     * module's, replaced by a layer module's), or empty when nothing exports it.
     */
    private Optional<Long> exportedVersion(String needed) throws IOException {
        String name = SymbolResolution.lookupName(needed, DepmodOptions.NO_SYMBOL_PREFIX);
        String layerOwner = layerExports.get(name);
        if (layerOwner != null) {
            return Optional.of(versionIn(layerSymbols.get(layerOwner), name));
        }
        List<Value> baseOwners = LayeredLookup.baseOwners(section, name, overridden.keySet());
        if (!baseOwners.isEmpty()) {
            return Optional.of(kernel.hasVersions() ? baseExportVersion(baseOwners.get(0).name(), name) : 0L);
        }
        int inKernel = kernel.find(name);
        if (inKernel >= 0) {
            return Optional.of(kernel.crc(inKernel));
        }
        return SymbolResolution.LOADER_SYMBOLS.contains(name) ? Optional.of(0L) : Optional.empty();
    }

    private long baseExportVersion(String module, String symbol) throws IOException {
        String path = section.modulePath(section.findModule(module));
        Map<String, Long> versions = baseExportVersions.get(path);
        if (versions == null) {
            versions = ExportVersions.of(base, path, cacheDirectory);
            baseExportVersions.put(path, versions);
        }
        return versions.getOrDefault(symbol, 0L);
    }

    private static long versionIn(ModuleSymbols module, String symbol) {
        long version = 0;
        for (ModuleSymbols.Symbol export : module.exports()) {
            if (export.name().equals(symbol)) {
                version = export.crc();
            }
        }
        return version;
    }

    /**
     * The base modules that used an overridden module (its line in modules.dep names it): each symbol they need
     * that the overridden module exported and now nothing in the union exports.
     */
    private void checkOverriddenUsers(List<Unresolved> found) throws IOException {
        if (overridden.isEmpty()) {
            return;
        }
        boolean[] isOverridden = new boolean[section.moduleCount()];
        boolean used = false;
        for (String name : overridden.keySet()) {
            int module = section.findModule(name);
            isOverridden[module] = true;
            used |= section.isDependency(module);
        }
        // Out-of-tree modules mostly override leaves: then no base module's line is read.
        if (!used) {
            return;
        }
        for (int user = 0; user < section.moduleCount(); user++) {
            if (isOverridden[user]) {
                continue;
            }
            boolean usesOverridden = false;
            for (int dependency : section.moduleDeps(user)) {
                usesOverridden |= isOverridden[dependency];
            }
            if (!usesOverridden) {
                continue;
            }
            String path = section.modulePath(user);
            for (ModuleSymbols.Symbol needed : ModuleSymbols.read(base, path).imports()) {
                if (needed.weak() || exportedVersion(needed.name()).isPresent()) {
                    continue;
                }
                // Reported only where the base exported it, through a module a layer overrides.
                String name = SymbolResolution.lookupName(needed.name(), DepmodOptions.NO_SYMBOL_PREFIX);
                for (Value owner : LayeredLookup.baseOwners(section, name, Set.of())) {
                    String overriding = overridden.get(owner.name());
                    if (overriding != null) {
                        found.add(new Unresolved(layerModules.get(overriding), new KmodProblem(
                                KmodProblem.Kind.SYMBOL_UNKNOWN, path, 0, needed.name())));
                        break;
                    }
                }
            }
        }
    }
}
