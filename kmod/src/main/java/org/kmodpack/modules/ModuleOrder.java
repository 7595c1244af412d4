package org.kmodpack.modules;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * depmod's module array: modules in the iteration order of its table of module names ({@link KmodHash}), then,
 * when modules.order is present and every line of it ends in a newline, stably sorted so that the modules it
 * names come first in its order (a module named twice takes its last line) and the others follow in table order.
 * A module's index in the array is its priority in the .bin files.
 */
final class ModuleOrder {
    static final String ORDER_FILE = "modules.order";

    private ModuleOrder() {
    }

    /** {@code order} is modules.order's contents, or null when the tree has none. */
    static List<DepmodModule> arrange(Map<String, String> chosen, byte[] order, Consumer<KmodProblem> problems) {
        List<DepmodModule> modules = new ArrayList<>(chosen.size());
        chosen.forEach((name, path) -> modules.add(new DepmodModule(name, path)));
        Map<DepmodModule, Integer> bucket = new HashMap<>();
        for (DepmodModule module : modules) {
            bucket.put(module, KmodHash.bucket(module.name.getBytes(StandardCharsets.UTF_8), KmodHash.MODULE_BUCKETS));
        }
        // Within a bucket, strcmp order: module names are ASCII, where UTF-16 order is byte order.
        modules.sort(Comparator.<DepmodModule>comparingInt(bucket::get).thenComparing(module -> module.name));
        if (order == null) {
            problems.accept(KmodProblem.of(KmodProblem.Kind.INDEX_INPUT_MISSING, ORDER_FILE));
        } else {
            sortByOrderFile(modules, order, problems);
        }
        for (int i = 0; i < modules.size(); i++) {
            modules.get(i).index = i;
        }
        return modules;
    }

    /** The lines of a modules.order that end in a newline, without it. */
    static List<String> lines(byte[] order) {
        List<String> lines = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < order.length; i++) {
            if (order[i] == '\n') {
                lines.add(new String(order, start, i - start, StandardCharsets.UTF_8));
                start = i + 1;
            }
        }
        return lines;
    }

    /** Whether every line of a modules.order ends in a newline: depmod sorts by no other. */
    static boolean isTerminated(byte[] order) {
        return order.length == 0 || order[order.length - 1] == '\n';
    }

    private static void sortByOrderFile(List<DepmodModule> modules, byte[] order, Consumer<KmodProblem> problems) {
        List<String> lines = lines(order);
        if (!isTerminated(order)) {
            problems.accept(new KmodProblem(KmodProblem.Kind.ORDER_LINE_UNTERMINATED, ORDER_FILE, lines.size() + 1,
                    ""));
            return;
        }
        Map<String, DepmodModule> byStem = new HashMap<>();
        for (DepmodModule module : modules) {
            // A module outside the module directory has no line in modules.order.
            if (!module.path.startsWith("/")) {
                byStem.putIfAbsent(ModuleNames.uncompressedPath(module.path), module);
            }
        }
        int total = lines.size() + 1;
        Map<DepmodModule, Integer> sortIndex = new HashMap<>();
        for (int line = 1; line <= lines.size(); line++) {
            DepmodModule module = byStem.get(lines.get(line - 1));
            if (module != null) {
                sortIndex.put(module, line - total);
            }
        }
        modules.sort(Comparator.comparingInt(module -> sortIndex.getOrDefault(module, 1)));
    }
}
