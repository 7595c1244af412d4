package org.kmodpack.bench.report;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Renders bench/run's results file as Markdown: the machine, then one table per section with each row's median,
 * min–max over its runs and its ratio to the best peer (the lowest median of the non-kmodpack rows of that
 * column, named in the cell), then the notes. Usage: Report RESULTS.tsv [TITLE]
 */
public final class Report {
    private Report() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length < 1 || args.length > 2) {
            System.err.println("usage: Report RESULTS.tsv [TITLE]");
            System.exit(2);
        }
        PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
        write(Results.read(Path.of(args[0])), args.length == 2 ? args[1] : null, out);
    }

    static void write(Results results, String title, PrintStream out) {
        if (title != null) {
            out.println("# " + title);
            out.println();
        }
        for (Results.Text t : results.texts("machine")) {
            out.println("- " + t.name() + ": " + t.value());
        }
        for (String section : results.sections()) {
            out.println();
            out.println("## " + section);
            out.println();
            List<String> metrics = results.metrics(section);
            out.println("| | " + String.join(" | ", metrics) + " |");
            out.println("|---" + "|---".repeat(metrics.size()) + "|");
            for (String row : results.rows(section)) {
                StringBuilder line = new StringBuilder("| " + escape(row));
                for (String metric : metrics) {
                    line.append(" | ").append(results.get(section, row, metric)
                            .map(m -> cell(m, results.bestPeer(section, metric))).orElse("-"));
                }
                out.println(line.append(" |"));
            }
        }
        List<Results.Text> notes = results.texts("notes");
        if (!notes.isEmpty()) {
            out.println();
            for (Results.Text t : notes) {
                out.println("- " + t.name() + ": " + t.value());
            }
        }
    }

    private static String cell(Results.Measurement m, Optional<Results.Measurement> best) {
        Unit unit = Unit.of(m);
        String text = unit.format(m.median());
        if (m.values().size() > 1) {
            text += " (" + unit.bare(m.min()) + "–" + unit.bare(m.max()) + ")";
        }
        if (best.isPresent() && best.get() != m && best.get().median() > 0) {
            double ratio = m.median() / best.get().median();
            // Two decimals, or two significant digits where an in-process row is thousands of times faster.
            text += String.format(Locale.ROOT, ratio >= 0.1 ? " · **%.2f×** %s" : " · **%.2g×** %s", ratio,
                    escape(best.get().row()));
        } else if (best.isPresent() && best.get() == m) {
            text += " · best peer";
        }
        return text;
    }

    /** A row name as table text: its own '|' (as in "tar | zstd") would end the cell. */
    private static String escape(String text) {
        return text.replace("|", "\\|");
    }

    /** How a value is shown: seconds in s, ms, µs or ns by its size; bytes in MB. */
    private record Unit(String symbol, double scale) {
        static Unit of(Results.Measurement m) {
            if (m.unit().equals("B")) {
                return new Unit("MB", 1e-6);
            }
            double v = m.median();
            return v >= 1 ? new Unit("s", 1) : v >= 1e-3 ? new Unit("ms", 1e3) : v >= 1e-6
                    ? new Unit("µs", 1e6) : new Unit("ns", 1e9);
        }

        String bare(double value) {
            double scaled = value * scale;
            return String.format(Locale.ROOT, scaled >= 100 ? "%.0f" : scaled >= 10 ? "%.1f" : "%.2f", scaled);
        }

        String format(double value) {
            return bare(value) + " " + symbol;
        }
    }
}
