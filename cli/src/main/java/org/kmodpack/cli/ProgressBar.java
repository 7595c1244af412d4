package org.kmodpack.cli;

import java.io.PrintWriter;
import java.util.Locale;
import org.kmodpack.packer.PackProgress;

/**
 * A one-line progress bar on stderr, redrawn at most ten times a second: files, bytes, rate and ETA. Silent
 * when stderr is not a terminal, so logs and pipes get only the summary.
 */
final class ProgressBar implements PackProgress {
    private static final long REDRAW_NANOS = 100_000_000L;
    private static final int WIDTH = 30;

    private final PrintWriter err;
    private final long start = System.nanoTime();
    private long lastDraw;
    private boolean drawn;

    private ProgressBar(PrintWriter err) {
        this.err = err;
    }

    /** A bar when a person is watching, otherwise one that draws nothing. */
    static ProgressBar forTerminal(PrintWriter err) {
        return new ProgressBar(System.console() != null ? err : null);
    }

    @Override
    public void update(long filesDone, long filesTotal, long bytesDone, long bytesTotal) {
        long now = System.nanoTime();
        if (err == null || (now - lastDraw < REDRAW_NANOS && filesDone < filesTotal)) {
            return;
        }
        lastDraw = now;
        double seconds = (now - start) / 1e9;
        double fraction = bytesTotal == 0 ? 1 : (double) bytesDone / bytesTotal;
        double rate = seconds > 0 ? bytesDone / seconds : 0;
        long eta = rate > 0 ? Math.round((bytesTotal - bytesDone) / rate) : 0;
        int filled = (int) Math.round(fraction * WIDTH);
        err.printf(Locale.ROOT, "\r[%s%s] %d/%d files  %s/%s  %s/s  ETA %d:%02d ",
                "#".repeat(filled), " ".repeat(WIDTH - filled), filesDone, filesTotal, Sizes.human(bytesDone),
                Sizes.human(bytesTotal), Sizes.human((long) rate), eta / 60, eta % 60);
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
