package org.kmodpack.cli;

import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * {@code kmodpack mount} in picocli's command tree, for the command list and {@code kmodpack help mount}.
 * {@link Main} hands every "mount" command line to {@link MountMain} before picocli sees it, so the daemon's
 * options are parsed in one place ({@link MountArguments}).
 */
@Command(name = "mount", description = {"Mount a bundle read-only where its module tree belongs, for kmod and the "
        + "kernel to use.", "Options: 'kmodpack mount --help'."})
final class MountCommand implements Callable<Integer> {
    @Parameters(paramLabel = "ARGS", description = "BUNDLE [MOUNTPOINT] and the options 'kmodpack mount --help' lists.")
    List<String> arguments;

    @Override
    public Integer call() {
        return MountMain.run(java.util.stream.Stream.concat(java.util.stream.Stream.of("mount"),
                arguments.stream()).toArray(String[]::new), new java.io.PrintWriter(System.out, true),
                new java.io.PrintWriter(System.err, true));
    }
}
