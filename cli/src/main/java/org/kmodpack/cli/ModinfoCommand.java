package org.kmodpack.cli;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;

import java.util.List;
import java.util.concurrent.Callable;
import org.kmodpack.modules.ModuleIndex;
import org.kmodpack.reader.Bundle;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "modinfo", mixinStandardHelpOptions = true,
        description = {"Print module information as kmod's modinfo -b ROOT -k KVER would on the unpacked tree.",
            "Option names are modinfo's own: -b is the base directory, -d the description field."},
        footer = {"", "Example:", "  kmodpack modinfo modules.kpack -F vermagic btrfs"})
final class ModinfoCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "BUNDLE", description = SourceOptions.BUNDLE)
    String bundleLocation;

    @Mixin
    SourceOptions source;

    @Mixin
    LayerOptions layers;

    @Parameters(index = "1..*", paramLabel = "NAME", arity = "1..*", description = "Module names or aliases.")
    List<String> names;

    @Option(names = {"-b", "--basedir"}, paramLabel = "ROOT",
            description = "Print file names under ROOT/lib/modules/KVER (default: /lib/modules/KVER).")
    String root;

    @Option(names = {"-F", "--field"}, paramLabel = "FIELD", description = "Print only this field's values.")
    String field;

    @Option(names = {"-a", "--author"}, description = "Print only 'author'.")
    boolean author;

    @Option(names = {"-d", "--description"}, description = "Print only 'description'.")
    boolean description;

    @Option(names = {"-l", "--license"}, description = "Print only 'license'.")
    boolean license;

    @Option(names = {"-p", "--parameters"}, description = "Print only 'parm'.")
    boolean parameters;

    @Option(names = {"-n", "--filename"}, description = "Print only 'filename'.")
    boolean filename;

    @Option(names = {"-0", "--null"}, description = "End each value with a NUL byte instead of a newline.")
    boolean nullSeparated;

    @Option(names = {"-k", "--set-version"}, paramLabel = "KVER",
            description = "The kernel version to look in: the bundle's own (a bundle holds one kernel).")
    String kernelVersion;

    @Option(names = "--json", description = "A JSON array, one object a NAME: its modules' fields and parameters, "
            + "or the error kmod would print (schema in the README).")
    boolean json;

    @Override
    public Integer call() throws Exception {
        // Field values are bytes of any encoding: they go to stdout unchanged, as kmod prints them.
        PrintStream out = System.out;
        PrintWriter err = spec.commandLine().getErr();
        String chosen = field;
        chosen = author ? "author" : chosen;
        chosen = description ? "description" : chosen;
        chosen = license ? "license" : chosen;
        chosen = parameters ? "parm" : chosen;
        chosen = filename ? "filename" : chosen;
        if (!layers.layerTrust.isEmpty()) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                    "modinfo checks no signatures, as kmod's does not: --layer-trust does not apply");
        }
        try (LayerOptions.Opened opened = layers.open(bundleLocation,
                (location, keys) -> source.open(location, Bundle.DEFAULT_CACHE_BYTES))) {
            Bundle bundle = opened.bundle();
            KernelVersions.check(bundle, bundleLocation, kernelVersion, "-k");
            ModuleIndex index = ModuleIndex.of(bundle);
            if (json) {
                return ModinfoJson.print(index.modinfo(index.moduleDirectory(root)), names,
                        spec.commandLine().getOut());
            }
            ModinfoLayout modinfo = new ModinfoLayout(index.modinfo(index.moduleDirectory(root)),
                    nullSeparated ? '\0' : '\n');
            boolean ok = true;
            for (String name : names) {
                ByteArrayOutputStream text = new ByteArrayOutputStream();
                ok &= modinfo.print(name, chosen, text, message -> {
                    out.write(text.toByteArray(), 0, text.size());
                    text.reset();
                    out.flush();
                    err.println(message);
                });
                out.write(text.toByteArray(), 0, text.size());
            }
            out.flush();
            err.flush();
            return ok ? 0 : 1;
        }
    }
}
