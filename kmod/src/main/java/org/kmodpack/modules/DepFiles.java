package org.kmodpack.modules;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** modules.dep ("path: dependency paths") and modules.dep.bin (the same line under the module's name). */
final class DepFiles {
    private DepFiles() {
    }

    /** Each module's line: the paths of its dependencies, direct and indirect, in depmod's order. */
    static byte[][] write(List<DepmodModule> modules) {
        ByteArrayOutputStream text = new ByteArrayOutputStream(modules.size() * 64);
        DepmodBin.Writer bin = new DepmodBin.Writer();
        StringBuilder line = new StringBuilder();
        for (DepmodModule module : modules) {
            line.setLength(0);
            line.append(module.path).append(':');
            for (DepmodModule dependency : DependencyOrder.closure(module)) {
                line.append(' ').append(dependency.path);
            }
            String value = line.toString();
            text.writeBytes(value.getBytes(StandardCharsets.UTF_8));
            text.write('\n');
            bin.insert(module.name, value, module.index);
        }
        return new byte[][] {text.toByteArray(), bin.toBytes()};
    }
}
