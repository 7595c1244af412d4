package org.kmodpack.cli;

import java.io.PrintWriter;
import picocli.CommandLine.Command;

/**
 * The mount daemon's entry point: the same command line as {@code kmodpack mount ...}, with only the mount
 * command built. picocli builds every command it is given at start, and the daemon, started on every boot, has
 * no use for the other fourteen.
 */
public final class MountMain {
    private MountMain() {
    }

    public static void main(String[] args) {
        System.exit(Main.run(new MountOnly(), args, new PrintWriter(System.out, true),
                new PrintWriter(System.err, true)));
    }

    @Command(name = "kmodpack", subcommands = MountCommand.class)
    static final class MountOnly implements Runnable, DebugOption.Carrier {
        @picocli.CommandLine.Mixin
        DebugOption debugOption;

        @picocli.CommandLine.Spec
        picocli.CommandLine.Model.CommandSpec spec;

        @Override
        public boolean debug() {
            return debugOption.debug;
        }

        @Override
        public void run() {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "this entry point only mounts: "
                    + "'kmodpack mount BUNDLE [MOUNTPOINT]'");
        }
    }
}
