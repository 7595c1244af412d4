package org.kmodpack.testkernels;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A count of what a test class checked, for the README's reliability figures: registered on the class with
 * {@code @RegisterExtension static final Figure ...}, it starts at 0 when the class starts and prints one line
 * on standard output when the class ends:
 * {@code kmodpack-figure<TAB>CLASS.NAME<TAB>COUNT<TAB>MEANING}, which bench/reliability collects.
 *
 * <p>Test classes run one after the other in a surefire JVM, so a count made by a shared helper belongs to the
 * class running at the time. A figure declared on an abstract class prints once per concrete subclass; its
 * {@link Nested} classes add to the enclosing class's count.
 */
public final class Figure implements BeforeAllCallback, AfterAllCallback {
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

    @Override
    public void beforeAll(ExtensionContext context) {
        if (isOutermost(context)) {
            count.set(0);
        }
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (isOutermost(context)) {
            System.out.println(PREFIX + "\t" + context.getRequiredTestClass().getSimpleName() + "." + name + "\t"
                    + count.get() + "\t" + meaning);
        }
    }

    private static boolean isOutermost(ExtensionContext context) {
        return !context.getRequiredTestClass().isAnnotationPresent(Nested.class);
    }
}
