package org.kmodpack.modules;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.Function;

/** modules.dep ("path: dependency paths") and modules.dep.bin (the same line under the module's name). */
final class DepFiles {
    private DepFiles() {
    }

    /** The paths on a module's line as depmod makes it: its dependencies, direct and indirect, sorted. */
    static List<String> closurePaths(DepmodModule module) {
        return DependencyOrder.closure(module).stream().map(dependency -> dependency.path).toList();
    }

    /** {@code lines} gives each module's line: the paths of its dependencies, in the line's order. */
    static byte[][] write(List<DepmodModule> modules, Function<DepmodModule, List<String>> lines) {
        ByteArrayOutputStream text = new ByteArrayOutputStream(modules.size() * 64);
        DepmodBin.Writer bin = new DepmodBin.Writer();
        StringBuilder line = new StringBuilder();
        for (DepmodModule module : modules) {
            line.setLength(0);
            line.append(module.path).append(':');
            for (String dependency : lines.apply(module)) {
                line.append(' ').append(dependency);
            }
            String value = line.toString();
            text.writeBytes(value.getBytes(StandardCharsets.UTF_8));
            text.write('\n');
            bin.insert(module.name, value, module.index);
        }
        return new byte[][] {text.toByteArray(), bin.toBytes()};
    }
}
