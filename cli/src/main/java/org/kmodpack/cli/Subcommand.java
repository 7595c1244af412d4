package org.kmodpack.cli;

import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * What every kmodpack command has: the command line it runs in, whose out and err it writes to (the ones
 * {@link Main} and the tests hand in, not System.out), and its usage errors (exit 2).
 */
abstract class Subcommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    PrintWriter out() {
        return spec.commandLine().getOut();
    }

    PrintWriter err() {
        return spec.commandLine().getErr();
    }

    /** A usage error of this command: one line, then the pointer to its --help. */
    ParameterException usageError(String message) {
        return new ParameterException(spec.commandLine(), message);
    }
}
