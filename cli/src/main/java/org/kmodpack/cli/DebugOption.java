package org.kmodpack.cli;

import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/** --debug, taken by the top command and, inherited, by every subcommand. */
final class DebugOption {
    /** A top command that carries --debug. */
    interface Carrier {
        boolean debug();
    }

    @Option(names = "--debug", scope = ScopeType.INHERIT, description = "Print stack traces of errors.")
    boolean debug;
}
