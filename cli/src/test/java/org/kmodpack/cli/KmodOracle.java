package org.kmodpack.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.kmodpack.testkernels.Kmod;

/** kmodpack's commands against the real kmod ({@link Kmod}) run on the unpacked tree: the same bytes out. */
final class KmodOracle {
    private KmodOracle() {
    }

    /** Runs both and asserts equal stdout (bytes, for modinfo), stderr and exit code. */
    static void compare(List<String> kmod, List<String> ours) throws IOException {
        Kmod.Result expected = Kmod.run(kmod);
        CliTest.Run actual = CliTest.run(ours.toArray(String[]::new));
        String what = String.join(" ", kmod.subList(0, Math.min(kmod.size(), 12))) + " ...";
        if (kmod.get(0).equals("modinfo")) {
            // modinfo writes field values as raw bytes; compare bytes so that no encoding can hide a difference.
            assertEquals(expected.out(), new String(actual.stdout(), StandardCharsets.UTF_8), "stdout of " + what);
            assertTrue(java.util.Arrays.equals(expected.stdout(), actual.stdout()), "stdout bytes of " + what);
        } else {
            assertEquals(expected.out(), actual.out(), "stdout of " + what);
        }
        assertEquals(expected.err(), actual.err(), "stderr of " + what);
        assertEquals(expected.exit(), actual.exit(), "exit code of " + what);
    }

    /** Compares the commands with the arguments appended a chunk at a time: kmod stops at some errors. */
    static void compareChunks(List<String> kmod, List<String> ours, List<String> arguments, int chunkSize)
            throws IOException {
        for (int from = 0; from < arguments.size(); from += chunkSize) {
            List<String> chunk = arguments.subList(from, Math.min(arguments.size(), from + chunkSize));
            compare(concat(kmod, chunk), concat(ours, chunk));
        }
    }

    @SafeVarargs
    static List<String> concat(List<String>... parts) {
        List<String> all = new ArrayList<>();
        for (List<String> part : parts) {
            all.addAll(part);
        }
        return all;
    }
}
