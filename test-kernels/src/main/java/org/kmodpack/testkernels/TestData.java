package org.kmodpack.testkernels;

import org.junit.jupiter.api.Assumptions;

/**
 * Decides what a test does when the data it needs (a compiler, depmod, a Debian package) cannot be had:
 * on a developer machine the test is skipped, in CI (which sets {@value #REQUIRE_VARIABLE}=1) it fails,
 * so that missing test data can never silently turn a CI run green.
 */
public final class TestData {
    static final String REQUIRE_VARIABLE = "KMODPACK_REQUIRE_TEST_DATA";

    private TestData() {
    }

    /** Always throws: an {@link AssertionError} when test data is required, else JUnit's abort (skip). */
    public static void unavailable(String reason) {
        unavailable(reason, "1".equals(System.getenv(REQUIRE_VARIABLE)));
    }

    static void unavailable(String reason, boolean required) {
        if (required) {
            throw new AssertionError("required test data unavailable: " + reason
                    + " (" + REQUIRE_VARIABLE + "=1 makes this a failure instead of a skip)");
        }
        Assumptions.abort(reason);
    }
}
