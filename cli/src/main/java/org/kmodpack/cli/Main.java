package org.kmodpack.cli;

import java.io.PrintWriter;
import picocli.CommandLine;

/**
 * Entry point. Exit codes: 0 success, 1 failure (one line on stderr, the stack trace only with --debug),
 * 2 usage error.
 */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) {
        System.exit(run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
    }

    static int run(String[] args, PrintWriter out, PrintWriter err) {
        for (String arg : args) {
            if (arg.equals("mount")) {
                return MountMain.run(args, out, err);
            }
            if (arg.equals("depmod")) {
                return depmod(args, out, err);
            }
            if (!arg.equals("--debug")) {
                break;
            }
        }
        CommandLine commandLine = new CommandLine(new KmodpackCommand());
        commandLine.setCaseInsensitiveEnumValuesAllowed(true);
        commandLine.setOut(out);
        commandLine.setErr(err);
        commandLine.setExecutionExceptionHandler((exception, failed, parseResult) ->
                failure(exception, failed, ((KmodpackCommand) commandLine.getCommand()).debug));
        return commandLine.execute(args);
    }

    /**
     * depmod runs on its own command line, not built from every command's: it is timed against kmod's depmod,
     * JVM start included, and building the others' option models costs a sixth of its CPU time.
     */
    private static int depmod(String[] args, PrintWriter out, PrintWriter err) {
        boolean debug = false;
        java.util.List<String> rest = new java.util.ArrayList<>();
        boolean seenCommand = false;
        for (String arg : args) {
            if (arg.equals("--debug")) {
                debug = true;
            } else if (!seenCommand && arg.equals("depmod")) {
                seenCommand = true;
            } else {
                rest.add(arg);
            }
        }
        CommandLine commandLine = new CommandLine(new DepmodCommand());
        commandLine.setCommandName("kmodpack depmod");
        commandLine.setOut(out);
        commandLine.setErr(err);
        boolean printTrace = debug;
        commandLine.setExecutionExceptionHandler((exception, failed, parseResult) ->
                failure(exception, failed, printTrace));
        return commandLine.execute(rest.toArray(String[]::new));
    }

    private static int failure(Exception exception, CommandLine failed, boolean debug) {
        if (debug) {
            exception.printStackTrace(failed.getErr());
        } else {
            failed.getErr().println("kmodpack: " + messageOf(exception));
        }
        failed.getErr().flush();
        return CommandLine.ExitCode.SOFTWARE;
    }

    static String messageOf(Throwable exception) {
        if (exception instanceof java.nio.file.NoSuchFileException missing) {
            return missing.getFile() + ": " + (missing.getReason() != null ? missing.getReason()
                    : "no such file or directory");
        }
        if (exception instanceof java.nio.file.AccessDeniedException denied) {
            return denied.getFile() + ": permission denied";
        }
        String message = exception.getMessage();
        return message != null ? message : exception.getClass().getSimpleName();
    }
}
