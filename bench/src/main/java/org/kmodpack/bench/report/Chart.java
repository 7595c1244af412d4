package org.kmodpack.bench.report;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.style.Styler;

/**
 * Draws the main rows of bench/run's results file as one PNG: a bar chart per panel, panels two a row.
 * Usage: Chart RESULTS.tsv OUT.png PANEL... where a PANEL is SECTION|METRIC[|METRIC...] (several metrics of a
 * section share a panel, as grouped bars); each bar is a row's median.
 */
public final class Chart {
    private static final int WIDTH = 640;
    private static final int HEIGHT = 420;

    private Chart() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length < 3) {
            System.err.println("usage: Chart RESULTS.tsv OUT.png SECTION|METRIC[|METRIC...]...");
            System.exit(2);
        }
        Results results = Results.read(Path.of(args[0]));
        List<BufferedImage> panels = new ArrayList<>();
        for (int i = 2; i < args.length; i++) {
            String[] spec = args[i].split("\\|");
            panels.add(BitmapEncoder.getBufferedImage(panel(results, spec[0], List.of(spec).subList(1, spec.length))));
        }
        int columns = Math.min(2, panels.size());
        int rows = (panels.size() + 1) / 2;
        BufferedImage image = new BufferedImage(columns * WIDTH, rows * HEIGHT, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, image.getWidth(), image.getHeight());
        for (int i = 0; i < panels.size(); i++) {
            g.drawImage(panels.get(i), (i % 2) * WIDTH, (i / 2) * HEIGHT, null);
        }
        g.dispose();
        ImageIO.write(image, "png", Path.of(args[1]).toFile());
    }

    /** The row name without its parenthesised explanation: XChart drops axis labels that do not fit. */
    private static String label(String row) {
        int paren = row.indexOf(" (");
        return paren < 0 ? row : row.substring(0, paren);
    }

    private static CategoryChart panel(Results results, String section, List<String> metrics) {
        String unit = results.rows(section).stream().flatMap(r -> results.get(section, r, metrics.get(0)).stream())
                .findFirst().orElseThrow(() -> new IllegalArgumentException(
                        "no results for " + section + " | " + metrics.get(0))).unit();
        boolean bytes = unit.equals("B");
        CategoryChart chart = new CategoryChartBuilder().width(WIDTH).height(HEIGHT)
                .title(section + (metrics.size() == 1 ? ": " + metrics.get(0) : ""))
                .yAxisTitle(bytes ? "MB (lower is better)" : "seconds (lower is better)").build();
        chart.getStyler().setXAxisLabelRotation(20);
        chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideNE).setLegendVisible(metrics.size() > 1)
                .setChartBackgroundColor(Color.WHITE);
        double scale = bytes ? 1e-6 : 1;
        for (String metric : metrics) {
            List<String> rows = new ArrayList<>();
            List<Double> values = new ArrayList<>();
            for (String row : results.rows(section)) {
                results.get(section, row, metric).ifPresent(m -> {
                    rows.add(label(row));
                    values.add(m.median() * scale);
                });
            }
            chart.addSeries(metric, rows, values);
        }
        return chart;
    }
}
