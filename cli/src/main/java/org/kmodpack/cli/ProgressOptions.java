package org.kmodpack.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Option;

/**
 * --quiet and --[no-]progress of the long-running commands (pack, extract, verify, initramfs). The bar shows by
 * default only when stderr is a terminal: System.console() says whether stdin and stdout are, and a log file
 * given with 2>FILE must not fill with redrawn frames.
 */
final class ProgressOptions {
    private static final int DEFAULT_WIDTH = 80;

    @Option(names = {"-q", "--quiet"}, description = "Print nothing but errors: no progress, no summary.")
    boolean quiet;

    @Option(names = "--progress", negatable = true,
            description = "Show a progress bar on stderr (default: only when stderr is a terminal).")
    Boolean progress;

    /** A long job, told how far it has got through the bar. */
    interface Job<T> {
        T run(ProgressBar bar) throws IOException;
    }

    /**
     * Runs {@code job} under the bar these options ask for, first showing {@code starting} and counting
     * {@code unit} ("files"); the bar is gone from the terminal when it returns or fails.
     */
    <T> T during(PrintWriter err, String starting, String unit, Job<T> job) throws IOException {
        ProgressBar bar = bar(err, starting, unit);
        try {
            return job.run(bar);
        } finally {
            bar.finish();
        }
    }

    /** The summary line of a command that finished, unless --quiet. */
    void summary(PrintWriter out, String format, Object... arguments) {
        if (!quiet) {
            out.printf(java.util.Locale.ROOT, format, arguments);
        }
    }

    private ProgressBar bar(PrintWriter err, String starting, String unit) {
        boolean shown = progress != null ? progress : !quiet && stderrTerminal() != null;
        if (!shown) {
            return ProgressBar.silent();
        }
        return ProgressBar.drawing(err, width(stderrTerminal()), starting, unit);
    }

    /** The terminal device stderr writes to, or null. */
    private static Path stderrTerminal() {
        try {
            Path target = Files.readSymbolicLink(Path.of("/proc/self/fd/2"));
            String name = target.toString();
            return name.startsWith("/dev/pts/") || name.matches("/dev/tty[0-9]*|/dev/console") ? target : null;
        } catch (IOException | UnsupportedOperationException e) {
            return null;
        }
    }

    /** The terminal's columns (stty asks the device), $COLUMNS, or 80. */
    private static int width(Path terminal) {
        if (terminal != null) {
            try {
                Process stty = new ProcessBuilder("stty", "size").redirectInput(terminal.toFile())
                        .redirectError(ProcessBuilder.Redirect.DISCARD).start();
                String size = new String(stty.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.US_ASCII);
                if (stty.waitFor(2, TimeUnit.SECONDS) && stty.exitValue() == 0) {
                    String[] rowsColumns = size.trim().split("\\s+");
                    int columns = Integer.parseInt(rowsColumns[rowsColumns.length - 1]);
                    if (columns > 0) {
                        return columns;
                    }
                }
            } catch (IOException | NumberFormatException e) {
                // No stty, or not a terminal after all: the fallbacks below.
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        try {
            int columns = Integer.parseInt(System.getenv().getOrDefault("COLUMNS", ""));
            return columns > 0 ? columns : DEFAULT_WIDTH;
        } catch (NumberFormatException e) {
            return DEFAULT_WIDTH;
        }
    }
}
