package org.kmodpack.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.kmodpack.packer.PackProgress;
import org.kmodpack.reader.Progress;

/**
 * A one-line progress bar on stderr, redrawn in place at most five times a second and fitted to the terminal's
 * width: items (files, blocks), bytes, rate, and an ETA once the estimate has settled (the first seconds' rates
 * say little). What it is doing shows from the start, before the first item is done. The packer's progress and
 * the reader's have the same shape: one bar serves both.
 */
final class ProgressBar implements PackProgress, Progress {
    private static final long REDRAW_NANOS = 200_000_000L;
    private static final long SETTLE_NANOS = 3_000_000_000L;
    private static final int SETTLED_DRAWS = 5;

    private final PrintWriter err;
    private final int width;
    private final String unit;
    private final long start = System.nanoTime();
    private long lastDraw;
    private boolean drawn;
    private long previousEta = -1;
    private int agreeingEstimates;

    private ProgressBar(PrintWriter err, int width, String unit) {
        this.err = err;
        this.width = width;
        this.unit = unit;
    }

    /**
     * A bar that draws on {@code err}, {@code width} columns wide, starting with {@code starting}, counting
     * {@code unit} ("files").
     */
    static ProgressBar drawing(PrintWriter err, int width, String starting, String unit) {
        ProgressBar bar = new ProgressBar(err, width, unit);
        bar.draw(starting);
        return bar;
    }

    /** A bar that draws nothing. */
    static ProgressBar silent() {
        return new ProgressBar(null, 0, "");
    }

    @Override
    public void update(long done, long total, long bytesDone, long bytesTotal) {
        long now = System.nanoTime();
        if (err == null || (now - lastDraw < REDRAW_NANOS && done < total)) {
            return;
        }
        lastDraw = now;
        double seconds = (now - start) / 1e9;
        double fraction = bytesTotal == 0 ? 1 : (double) bytesDone / bytesTotal;
        double rate = seconds > 0 ? bytesDone / seconds : 0;
        long eta = rate > 0 ? Math.round((bytesTotal - bytesDone) / rate) : -1;
        boolean agrees = eta >= 0 && previousEta >= 0 && Math.abs(eta - previousEta) <= Math.max(1, previousEta / 5);
        agreeingEstimates = agrees ? agreeingEstimates + 1 : 0;
        previousEta = eta;
        boolean settled = now - start >= SETTLE_NANOS && agreeingEstimates >= SETTLED_DRAWS;
        List<String> parts = new ArrayList<>();
        parts.add(String.format(Locale.ROOT, "%d/%d %s", done, total, unit));
        parts.add(Sizes.human(bytesDone) + "/" + Sizes.human(bytesTotal));
        parts.add(Sizes.human((long) rate) + "/s");
        parts.add(settled ? String.format(Locale.ROOT, "ETA %d:%02d", eta / 60, eta % 60)
                : String.format(Locale.ROOT, "%d:%02d", (long) seconds / 60, (long) seconds % 60));
        draw(line(fraction, parts));
    }

    /** The bar and as many of {@code parts} as fit, most important first, within the width. */
    private String line(double fraction, List<String> parts) {
        int room = width - 1;
        List<String> shown = new ArrayList<>(parts);
        while (true) {
            String text = String.join("  ", shown);
            int barWidth = Math.min(30, room - text.length() - 3);
            if (barWidth >= 10 || shown.size() == 1) {
                if (barWidth < 4) {
                    return text;
                }
                int filled = (int) Math.round(fraction * barWidth);
                return "[" + "#".repeat(filled) + " ".repeat(barWidth - filled) + "] " + text;
            }
            shown.remove(shown.size() == 4 ? 2 : shown.size() - 1);
        }
    }

    private void draw(String text) {
        String fitted = text.length() < width ? text : text.substring(0, Math.max(0, width - 1));
        err.print("\r" + fitted + "\033[K");
        err.flush();
        drawn = true;
    }

    void finish() {
        if (drawn) {
            err.print("\r\033[K");
            err.flush();
        }
    }
}
