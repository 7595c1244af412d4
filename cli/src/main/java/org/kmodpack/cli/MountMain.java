package org.kmodpack.cli;

import java.io.PrintWriter;

/**
 * The mount daemon's entry point, which the launcher runs for {@code kmodpack mount} (and {@link Main} hands
 * "mount" to): the same command line, parsed by {@link MountArguments} without building picocli's command tree.
 * Exit codes as {@link Main}'s: 0 once unmounted, 1 if it cannot mount (one line on stderr), 2 a usage error.
 */
public final class MountMain {
    private MountMain() {
    }

    public static void main(String[] args) {
        System.exit(run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
    }

    static int run(String[] args, PrintWriter out, PrintWriter err) {
        MountArguments arguments;
        try {
            arguments = MountArguments.parse(args);
        } catch (MountArguments.UsageException e) {
            err.println("kmodpack mount: " + e.getMessage());
            err.println("Try 'kmodpack mount --help' for more information.");
            return 2;
        }
        if (arguments.help) {
            out.println(MountArguments.USAGE);
            return 0;
        }
        if (arguments.version) {
            out.println(new VersionProvider().getVersion()[0]);
            return 0;
        }
        try {
            return new MountDaemon(arguments, out, err).run();
        } catch (Exception e) {
            if (arguments.debug) {
                e.printStackTrace(err);
            } else {
                err.println("kmodpack: " + Main.messageOf(e));
            }
            err.flush();
            return 1;
        }
    }
}
