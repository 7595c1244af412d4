package org.kmodpack.cli;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;

import java.util.List;
import org.kmodpack.modules.ModuleIndex;
import org.kmodpack.reader.Bundle;
import picocli.CommandLine.Command;
import picocli.CommandLine.IModelTransformer;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.ISetter;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "modinfo", mixinStandardHelpOptions = true,
        description = {"Print module information as kmod's modinfo -b ROOT -k KVER would on the unpacked tree.",
            "Option names are modinfo's own: -b is the base directory, -d the description field."},
        footer = {"", "Example:", "  kmodpack modinfo modules.kpack -F vermagic btrfs"},
        modelTransformer = ModinfoCommand.FieldShortcuts.class)
final class ModinfoCommand extends Subcommand {
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

    /** Set by -F FIELD and by the shortcuts of {@link FieldShortcuts}: the last one given wins, as in kmod. */
    @Option(names = {"-F", "--field"}, paramLabel = "FIELD", description = "Print only this field's values.")
    String field;

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
        PrintWriter err = err();
        if (!layers.layerTrust.isEmpty()) {
            throw usageError("modinfo checks no signatures, as kmod's does not: --layer-trust does not apply");
        }
        try (LayerOptions.Opened opened = layers.openChecked(bundleLocation, source.cacheDirectoryOrDefault(),
                (location, keys) -> source.open(location, Bundle.DEFAULT_CACHE_BYTES), err)) {
            KernelVersions.check(opened.base(), bundleLocation, kernelVersion, "-k");
            ModuleIndex index = opened.index();
            if (json) {
                return ModinfoJson.print(index.modinfo(index.moduleDirectory(root)), names,
                        out());
            }
            ModinfoLayout modinfo = new ModinfoLayout(index.modinfo(index.moduleDirectory(root)),
                    nullSeparated ? '\0' : '\n');
            boolean ok = true;
            for (String name : names) {
                ByteArrayOutputStream text = new ByteArrayOutputStream();
                ok &= modinfo.print(name, field, text, message -> {
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

    /** modinfo's shortcuts for -F FIELD, one option each, as in kmod's option table. */
    static final class FieldShortcuts implements IModelTransformer {
        private static final List<List<String>> SHORTCUTS = List.of(List.of("-a", "--author", "author"),
                List.of("-d", "--description", "description"), List.of("-l", "--license", "license"),
                List.of("-p", "--parameters", "parm"), List.of("-n", "--filename", "filename"));

        @Override
        public CommandSpec transform(CommandSpec spec) {
            for (List<String> shortcut : SHORTCUTS) {
                String fieldName = shortcut.get(2);
                spec.addOption(OptionSpec.builder(shortcut.get(0), shortcut.get(1)).type(boolean.class).arity("0")
                        .description("Print only '" + fieldName + "'.").setter(new ISetter() {
                            @Override
                            public <T> T set(T given) {
                                if (Boolean.TRUE.equals(given)) {
                                    ((ModinfoCommand) spec.userObject()).field = fieldName;
                                }
                                return null;
                            }
                        }).build());
            }
            return spec;
        }
    }
}
