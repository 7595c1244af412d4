package org.kmodpack.cli;

import java.io.PrintWriter;

import java.util.List;
import java.util.function.Consumer;
import org.kmodpack.loader.Kernel;
import org.kmodpack.loader.Loader;
import org.kmodpack.modules.KmodProblem;
import org.kmodpack.modules.Modprobe;
import org.kmodpack.modules.ModuleIndex;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "insmod", mixinStandardHelpOptions = true,
        description = {"Load one module of the bundle into the running kernel, without its dependencies.",
            "As kmod's insmod loads a file. The bundle must be signed by a trusted key (--trust) unless "
                + "--allow-unsigned."},
        footer = {"", "Examples:", "  kmodpack insmod modules.kpack fuse",
            "  kmodpack insmod modules.kpack kernel/drivers/net/dummy.ko numdummies=2"})
final class InsmodCommand extends Subcommand {
    @Mixin
    SystemBundleArgument bundleArgument;

    @Parameters(index = "1", paramLabel = "NAME|PATH",
            description = "A module name, or the module's path in the bundle (kernel/fs/fuse/fuse.ko, or under "
                    + "/lib/modules/KVER).")
    String module;

    @Parameters(index = "2..*", paramLabel = "PARAM=VALUE", description = "Module parameters.")
    List<String> params = List.of();

    @Option(names = {"-v", "--verbose"}, description = "Print the insmod line.")
    boolean verbose;

    @Option(names = {"-f", "--force"}, description = "Load even if the module's version magic or symbol versions "
            + "do not match the kernel.")
    boolean force;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = out();
        PrintWriter err = err();
        try (LayerOptions.Opened opened = bundleArgument.openForSystem(err())) {
            ModuleIndex index = opened.index();
            String moduleDir = index.moduleDirectory("");
            Consumer<KmodProblem> problems = p -> err.println(KmodProblems.message(p));
            Modprobe modprobe = index.modprobe(index.loadConfig(List.of(), moduleDir, null, problems), moduleDir,
                    problems);
            Loader loader = new Loader(index, modprobe, Kernel.running(), new Loader.Options(false, false, false,
                    force ? Kernel.MODULE_INIT_IGNORE_VERMAGIC | Kernel.MODULE_INIT_IGNORE_MODVERSIONS : 0),
                    new LoaderMessages(out, err, verbose, false, moduleDir, opened.name()));
            // insmod joins its arguments with spaces, unquoted (kmod's insmod.c).
            int result = loader.insmod(module, params.isEmpty() ? null : String.join(" ", params));
            out.flush();
            err.flush();
            return Loader.exitStatus(result);
        }
    }
}
