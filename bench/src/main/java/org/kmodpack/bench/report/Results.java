package org.kmodpack.bench.report;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * bench/run's results file: one tab-separated line per sample, {@code SECTION ROW METRIC UNIT VALUE}, in the
 * order measured. Unit "s" is seconds, "B" bytes, "text" a description (sections "machine" and "notes").
 * A measurement repeated N times is N lines with the same section, row and metric.
 */
public final class Results {
    /** Every sample of one section, row and metric. */
    public record Measurement(String section, String row, String metric, String unit, List<Double> values) {
        public double median() {
            List<Double> sorted = values.stream().sorted().toList();
            int n = sorted.size();
            return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
        }

        public double min() {
            return values.stream().mapToDouble(Double::doubleValue).min().orElseThrow();
        }

        public double max() {
            return values.stream().mapToDouble(Double::doubleValue).max().orElseThrow();
        }

        /** kmodpack's own rows; every other row is a peer it is compared with. */
        public boolean isOurs() {
            return row.startsWith("kmodpack");
        }
    }

    /** A text line of the "machine" or "notes" section: the row is its name. */
    public record Text(String section, String name, String value) {
    }

    private final Map<String, Map<String, Map<String, Measurement>>> sections = new LinkedHashMap<>();
    private final List<Text> texts = new ArrayList<>();

    public static Results read(Path file) throws IOException {
        Results results = new Results();
        int number = 0;
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            number++;
            String[] f = line.split("\t", -1);
            if (f.length != 5) {
                throw new IOException(file + ":" + number + ": expected SECTION ROW METRIC UNIT VALUE, tab-separated");
            }
            if (f[3].equals("text")) {
                results.texts.add(new Text(f[0], f[1], f[4]));
                continue;
            }
            double value;
            try {
                value = Double.parseDouble(f[4]);
            } catch (NumberFormatException e) {
                throw new IOException(file + ":" + number + ": not a number: " + f[4]);
            }
            results.sections.computeIfAbsent(f[0], s -> new LinkedHashMap<>())
                    .computeIfAbsent(f[1], r -> new LinkedHashMap<>())
                    .computeIfAbsent(f[2], m -> new Measurement(f[0], f[1], f[2], f[3], new ArrayList<>()))
                    .values().add(value);
        }
        return results;
    }

    public List<String> sections() {
        return List.copyOf(sections.keySet());
    }

    public List<String> rows(String section) {
        return List.copyOf(sections.getOrDefault(section, Map.of()).keySet());
    }

    /** The section's metrics in the order they were first measured. */
    public List<String> metrics(String section) {
        List<String> metrics = new ArrayList<>();
        for (Map<String, Measurement> row : sections.getOrDefault(section, Map.of()).values()) {
            row.keySet().stream().filter(m -> !metrics.contains(m)).forEach(metrics::add);
        }
        return metrics;
    }

    public Optional<Measurement> get(String section, String row, String metric) {
        return Optional.ofNullable(sections.getOrDefault(section, Map.of()).getOrDefault(row, Map.of()).get(metric));
    }

    /** The peer row with the lowest median of this metric (every metric here is better lower). */
    public Optional<Measurement> bestPeer(String section, String metric) {
        return rows(section).stream().map(r -> get(section, r, metric)).flatMap(Optional::stream)
                .filter(m -> !m.isOurs()).min(java.util.Comparator.comparingDouble(Measurement::median));
    }

    public List<Text> texts(String section) {
        return texts.stream().filter(t -> t.section().equals(section)).toList();
    }
}
