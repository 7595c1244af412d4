package org.kmodpack.testkernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.opentest4j.TestAbortedException;

class TestDataTest {

    @Test
    void requiredDataFailsTheTest() {
        AssertionError error = assertThrows(AssertionError.class, () -> TestData.unavailable("no gcc", true));
        assertTrue(error.getMessage().startsWith("required test data unavailable: no gcc"), error.getMessage());
    }

    @Test
    void optionalDataSkipsTheTest() {
        TestAbortedException aborted =
                assertThrows(TestAbortedException.class, () -> TestData.unavailable("no gcc", false));
        assertEquals("no gcc", aborted.getMessage());
    }
}
