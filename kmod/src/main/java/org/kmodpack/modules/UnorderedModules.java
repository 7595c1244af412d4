package org.kmodpack.modules;

import java.io.IOException;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.kmodpack.format.ModuleSection;
import org.kmodpack.reader.Bundle;
import org.kmodpack.reader.Entry;

/**
 * Which modules of a base the base's modules.order does not name: depmod numbers a layer's modules after the
 * named ones and before these. modules.order sits in a block of the data stream that would be decompressed and
 * checked at every merge for this one fact, so the fact is kept in {@code CACHE/module-order}, in a file named
 * after the SHA-256 of the base's index (which commits to modules.order's bytes), and read from there later.
 */
final class UnorderedModules {
    private static final String HEADER = "kmodpack modules not in modules.order 1";

    private final Set<Integer> modules;

    private UnorderedModules(Set<Integer> modules) {
        this.modules = Set.copyOf(modules);
    }

    boolean isOrdered(int module) {
        return !modules.contains(module);
    }

    /** The modules modules.order does not name. */
    Set<Integer> unordered() {
        return modules;
    }

    /**
     * The base's fact, from the record in {@code cacheDirectory} when it holds one for this index, else from
     * modules.order (and recorded); empty when the base has no modules.order with every line ended, as depmod
     * then numbers modules by no order file.
     */
    static Optional<UnorderedModules> of(Bundle baseBundle, ModuleSection base, Path cacheDirectory)
            throws IOException {
        Path record = cacheDirectory.resolve("module-order").resolve(HexFormat.of()
                .formatHex(baseBundle.indexSha256()));
        Optional<UnorderedModules> recorded = read(record, base);
        if (recorded.isPresent()) {
            return recorded;
        }
        Optional<Entry> orderFile = baseBundle.find(ModuleOrder.ORDER_FILE).filter(Entry::isFile);
        byte[] order = orderFile.isEmpty() ? null : baseBundle.readAllBytes(orderFile.get());
        if (order == null || !ModuleOrder.isTerminated(order)) {
            return Optional.empty();
        }
        Set<String> lines = new HashSet<>(ModuleOrder.lines(order));
        Set<Integer> unordered = new HashSet<>();
        StringBuilder text = new StringBuilder(HEADER).append('\n').append(base.moduleCount()).append('\n');
        for (int i = 0; i < base.moduleCount(); i++) {
            if (!lines.contains(ModuleNames.uncompressedPath(base.modulePath(i)))) {
                unordered.add(i);
                text.append(base.moduleName(i)).append('\n');
            }
        }
        CacheRecord.write(record, text.toString());
        return Optional.of(new UnorderedModules(unordered));
    }

    /** The record, if it is one for a base of {@code base}'s modules naming only modules it has. */
    private static Optional<UnorderedModules> read(Path record, ModuleSection base) {
        Optional<List<String>> read = CacheRecord.read(record);
        if (read.isEmpty()) {
            return Optional.empty();
        }
        List<String> lines = read.get();
        if (lines.size() < 2 || !lines.get(0).equals(HEADER)
                || !lines.get(1).equals(Integer.toString(base.moduleCount()))) {
            return Optional.empty();
        }
        Set<Integer> unordered = new HashSet<>();
        for (String name : lines.subList(2, lines.size())) {
            int module = base.findModule(name);
            if (module < 0) {
                return Optional.empty();
            }
            unordered.add(module);
        }
        return Optional.of(new UnorderedModules(unordered));
    }
}
