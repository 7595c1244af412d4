package org.kmodpack.testkernels;

import java.util.concurrent.atomic.AtomicLong;

/**
 * A count of what a test class checked, for the README's reliability figures: a {@code static final Figure} field
 * of a test class annotated {@code @ExtendWith(Figures.class)}, which starts it at 0 when the class starts and
 * prints it when the class ends (see {@link Figures}).
 */
public final class Figure {
    /** The first field of every figure line. */
    public static final String PREFIX = "kmodpack-figure";

    private final String name;
    private final String meaning;
    private final AtomicLong count = new AtomicLong();

    public Figure(String name, String meaning) {
        if (name.contains("\t") || meaning.contains("\t") || meaning.contains("\n")) {
            throw new IllegalArgumentException("a figure's name and meaning are one field each: " + name);
        }
        this.name = name;
        this.meaning = meaning;
    }

    /** Counts one more; safe from any thread. */
    public void increment() {
        count.incrementAndGet();
    }

    public void add(long n) {
        count.addAndGet(n);
    }

    public long count() {
        return count.get();
    }

    void reset() {
        count.set(0);
    }

    /** {@code kmodpack-figure<TAB>CLASS.NAME<TAB>COUNT<TAB>MEANING}, the line bench/reliability collects. */
    String line(Class<?> testClass) {
        return PREFIX + "\t" + testClass.getSimpleName() + "." + name + "\t" + count.get() + "\t" + meaning;
    }
}
