package org.kmodpack.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

@Command(name = "kmodpack",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        description = "Ship a kernel's module tree (/lib/modules/KVER) as one indexed, compressed file.",
        subcommands = {PackCommand.class, LsCommand.class, CatCommand.class, ExtractCommand.class,
            InfoCommand.class, KeygenCommand.class, SignCommand.class, VerifyCommand.class, ModprobeCommand.class,
            InsmodCommand.class, InitramfsCommand.class, DepmodCommand.class, CertCommand.class, PushCommand.class,
            PullCommand.class, ModinfoCommand.class, MergeCommand.class, MountCommand.class, UmountCommand.class,
            picocli.CommandLine.HelpCommand.class},
        footer = {"", "Example:", "  kmodpack pack /lib/modules/$(uname -r)",
            "  kmodpack ls -l modules-$(uname -r).kpack kernel/fs",
            "  kmodpack keygen -o release && kmodpack pack /lib/modules/$(uname -r) --sign release.key",
            "  kmodpack verify modules-$(uname -r).kpack --trust release.pub"})
final class KmodpackCommand implements Runnable {
    @Option(names = "--debug", scope = ScopeType.INHERIT, description = "Print stack traces of errors.")
    boolean debug;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new picocli.CommandLine.ParameterException(spec.commandLine(), "name a command, e.g. 'kmodpack pack DIR'");
    }
}
