package org.kmodpack.testkernels;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The reliability figures of a test class, registered with {@code @ExtendWith(Figures.class)}: every
 * {@code static final Figure} field of the class and its superclasses starts at 0 when the class starts, and
 * prints one {@link Figure} line on standard output when the class ends, which bench/reliability collects.
 *
 * <p>Test classes run one after the other in a surefire JVM, so a count made by a shared helper belongs to the
 * class running at the time. A figure declared on an abstract class prints once per concrete subclass; its
 * {@link Nested} classes add to the enclosing class's count.
 */
public final class Figures implements BeforeAllCallback, AfterAllCallback {
    @Override
    public void beforeAll(ExtensionContext context) {
        if (isOutermost(context)) {
            declared(context.getRequiredTestClass()).forEach(Figure::reset);
        }
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (isOutermost(context)) {
            Class<?> testClass = context.getRequiredTestClass();
            declared(testClass).forEach(figure -> System.out.println(figure.line(testClass)));
        }
    }

    private static boolean isOutermost(ExtensionContext context) {
        return !context.getRequiredTestClass().isAnnotationPresent(Nested.class);
    }

    /** The figures of {@code testClass} and its superclasses, the superclasses' first, each in declaration order. */
    private static List<Figure> declared(Class<?> testClass) {
        Deque<Class<?>> hierarchy = new ArrayDeque<>();
        for (Class<?> c = testClass; c != null && c != Object.class; c = c.getSuperclass()) {
            hierarchy.push(c);
        }
        List<Figure> figures = new ArrayList<>();
        for (Class<?> c : hierarchy) {
            for (Field field : c.getDeclaredFields()) {
                if (field.getType() == Figure.class && Modifier.isStatic(field.getModifiers())) {
                    try {
                        field.setAccessible(true);
                        figures.add((Figure) field.get(null));
                    } catch (IllegalAccessException e) {
                        throw new IllegalStateException("cannot read the figure " + c.getName() + "."
                                + field.getName(), e);
                    }
                }
            }
        }
        return figures;
    }
}
