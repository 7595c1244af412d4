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
        StandardOutput stdout = StandardOutput.open();
        System.setOut(stdout);
        System.exit(run(args, new PrintWriter(stdout, true), new PrintWriter(System.err, true)));
    }

    /** Runs the command line; output that could not be written fails it (exit 1), as in coreutils. */
    static int run(String[] args, PrintWriter out, PrintWriter err) {
        int status = dispatch(args, out, err);
        out.flush();
        java.util.Optional<java.io.IOException> failure = StandardOutput.failure(System.out);
        if (failure.isEmpty() && out.checkError()) {
            failure = java.util.Optional.of(new java.io.IOException("the output was closed"));
        }
        if (failure.isPresent()) {
            if (!StandardOutput.brokenPipe(failure.get())) {
                err.println("kmodpack: write error: " + StandardOutput.reason(failure.get()));
                err.flush();
            }
            return status == 0 ? 1 : status;
        }
        return status;
    }

    private static int dispatch(String[] args, PrintWriter out, PrintWriter err) {
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
        CommandLine commandLine = CommandLines.configure(new CommandLine(new KmodpackCommand()), out, err);
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
        java.util.Optional<DepmodCommand> direct = DepmodCommand.parseDirectly(rest);
        if (direct.isPresent()) {
            try {
                return direct.get().run(err);
            } catch (java.io.IOException | RuntimeException exception) {
                return failure(exception, err, debug);
            } finally {
                err.flush();
            }
        }
        CommandLine commandLine = new CommandLine(new DepmodCommand());
        commandLine.setCommandName("kmodpack depmod");
        CommandLines.configure(commandLine, out, err);
        boolean printTrace = debug;
        commandLine.setExecutionExceptionHandler((exception, failed, parseResult) ->
                failure(exception, failed, printTrace));
        return commandLine.execute(rest.toArray(String[]::new));
    }

    private static int failure(Exception exception, CommandLine failed, boolean debug) {
        failure(exception, failed.getErr(), debug);
        if (CommandLines.wantsJson(failed)) {
            failed.getOut().println(Json.error(messageOf(exception), CommandLine.ExitCode.SOFTWARE));
            failed.getOut().flush();
        }
        return CommandLine.ExitCode.SOFTWARE;
    }

    private static int failure(Exception exception, PrintWriter err, boolean debug) {
        if (debug) {
            exception.printStackTrace(err);
        } else {
            err.println("kmodpack: " + messageOf(exception));
        }
        err.flush();
        return CommandLine.ExitCode.SOFTWARE;
    }

    static String messageOf(Throwable exception) {
        if (exception instanceof java.nio.file.FileSystemException fileSystem && fileSystem.getFile() != null) {
            return fileSystem.getFile() + (fileSystem.getOtherFile() != null ? " -> " + fileSystem.getOtherFile() : "")
                    + ": " + reason(fileSystem);
        }
        String message = exception.getMessage();
        return message != null ? message : exception.getClass().getSimpleName();
    }

    /** What went wrong with a file, in strerror's words where Java's exception has no reason of its own. */
    static String reason(java.nio.file.FileSystemException exception) {
        if (exception.getReason() != null) {
            return exception.getReason();
        }
        if (exception instanceof java.nio.file.NoSuchFileException) {
            return "no such file or directory";
        }
        if (exception instanceof java.nio.file.AccessDeniedException) {
            return "permission denied";
        }
        if (exception instanceof java.nio.file.FileAlreadyExistsException) {
            return "file exists";
        }
        if (exception instanceof java.nio.file.DirectoryNotEmptyException) {
            return "directory not empty";
        }
        if (exception instanceof java.nio.file.NotDirectoryException) {
            return "not a directory";
        }
        return exception.getClass().getSimpleName();
    }
}
