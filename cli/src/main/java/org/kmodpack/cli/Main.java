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
            if (!arg.equals("--debug")) {
                break;
            }
        }
        CommandLine commandLine = new CommandLine(new KmodpackCommand());
        commandLine.setCaseInsensitiveEnumValuesAllowed(true);
        commandLine.setOut(out);
        commandLine.setErr(err);
        commandLine.setExecutionExceptionHandler((exception, failed, parseResult) -> {
            KmodpackCommand top = commandLine.getCommand();
            if (top.debug) {
                exception.printStackTrace(failed.getErr());
            } else {
                failed.getErr().println("kmodpack: " + messageOf(exception));
            }
            failed.getErr().flush();
            return CommandLine.ExitCode.SOFTWARE;
        });
        return commandLine.execute(args);
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
