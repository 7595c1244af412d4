package org.kmodpack.testkernels;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The real modprobe and modinfo, pointed at a test tree, as the oracle the trees are checked against. */
final class KmodTools {
    private final Path root;
    private final String kernelVersion;

    KmodTools(Path root, String kernelVersion) {
        this.root = root;
        this.kernelVersion = kernelVersion;
    }

    /** {@code modprobe -D NAME}: the insmod/builtin lines modprobe would execute, in order. */
    List<String> showDepends(String name) throws IOException {
        return run("modprobe", "-d", root.toString(), "-S", kernelVersion, "-D", name);
    }

    /** {@code modprobe -R ALIAS}: the module names an alias resolves to. */
    List<String> resolveAlias(String alias) throws IOException {
        return run("modprobe", "-d", root.toString(), "-S", kernelVersion, "-R", alias);
    }

    List<String> modinfoField(String name, String field) throws IOException {
        return run("modinfo", "-b", root.toString(), "-k", kernelVersion, "-F", field, name);
    }

    private static List<String> run(String tool, String... arguments) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Commands.require(tool, "kmod").toString());
        command.addAll(List.of(arguments));
        String stdout = Commands.check(Path.of("").toAbsolutePath(), command).stdout();
        return stdout.lines().map(String::strip).toList();
    }
}
