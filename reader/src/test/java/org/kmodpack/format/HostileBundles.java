package org.kmodpack.format;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import org.junit.jupiter.api.function.Executable;
import org.kmodpack.reader.Bundle;
import org.kmodpack.reader.Entry;
import org.kmodpack.testkernels.Figure;

/** Opening damaged bytes, and what a refusal must look like; shared by the hostile and fuzz tests. */
final class HostileBundles {
    private HostileBundles() {
    }

    /**
     * Every bundle {@link #open} hands to the reader, for HostileBundleTest's figure: the forged bytes it then
     * finds refused with a CorruptBundleException (or subclass) or read exactly as the test expects.
     */
    static final Figure OPENED = new Figure("hostile-bundles", "bundles opened in-process (the unpatched vector "
            + "once, the rest forged): each refused with a CorruptBundleException naming the bundle, or read as the "
            + "test expects; no other exception");

    static Bundle open(Path file, byte[] bytes) throws IOException {
        OPENED.increment();
        return openUncounted(file, bytes);
    }

    private static Bundle openUncounted(Path file, byte[] bytes) throws IOException {
        Files.write(file, bytes);
        return Bundle.open(file);
    }

    /**
     * Opens the bytes and reads everything: every entry found again by its path, every directory listed,
     * every file read whole, every block verified. A bundle that opens must read consistently.
     */
    static void openAndReadEverything(Path file, byte[] bytes) throws IOException {
        try (Bundle bundle = open(file, bytes)) {
            readEverything(bundle);
        }
    }

    static void readEverything(Bundle bundle) throws IOException {
        readTree(bundle, bundle.entries(), bundle::find);
        readTree(bundle, bundle.firmwareEntries(), bundle::findFirmware);
        bundle.verifyBlocks();
    }

    /** One tree (the module directory, or the firmware tree when there is one) found, listed and read. */
    private static void readTree(Bundle bundle, List<Entry> entries, Function<String, Optional<Entry>> find)
            throws IOException {
        assertTrue(entries.isEmpty() || entries.get(0).isDirectory(), "entry 0 is the root");
        for (Entry entry : entries) {
            assertEquals(entry, find.apply(entry.path()).orElseThrow(), "lookup of '" + entry.path() + "'");
            switch (entry.kind()) {
                case DIRECTORY -> bundle.list(entry);
                case FILE -> assertEquals(entry.size(), bundle.readAllBytes(entry).length);
                case SYMLINK -> assertNotNull(entry.symlinkTarget());
            }
        }
    }

    /** Asserts the bytes are refused with a message that names the bundle file and every fragment. */
    static <T extends CorruptBundleException> T refused(Class<T> type, Path file, byte[] bytes,
            String... fragments) {
        T refusal = assertThrows(type, () -> openAndReadEverything(file, bytes));
        String message = refusal.getMessage();
        assertTrue(message.startsWith(file.toString() + ": "), "names the bundle: " + message);
        for (String fragment : fragments) {
            assertTrue(message.contains(fragment), "says '" + fragment + "': " + message);
        }
        return refusal;
    }

    /** Asserts that {@code decode}, of a section of bundle "t.kpack", is refused naming it, saying {@code reason}. */
    static void sectionRefused(Executable decode, String reason) {
        CorruptBundleException refused = assertThrows(CorruptBundleException.class, decode);
        assertTrue(refused.getMessage().startsWith("t.kpack: ") && refused.getMessage().contains(reason),
                refused.getMessage());
    }

    static CorruptBundleException refused(Path file, byte[] bytes, String... fragments) {
        return refused(CorruptBundleException.class, file, bytes, fragments);
    }

    /** Asserts the bytes open and read exactly like {@code original}: same entries, same contents. */
    static void readsLike(Path file, byte[] bytes, Path originalFile, byte[] original) throws IOException {
        try (Bundle expected = openUncounted(originalFile, original); Bundle actual = open(file, bytes)) {
            readEverything(actual);
            List<Entry> want = expected.entries();
            List<Entry> got = actual.entries();
            assertEquals(want, got);
            for (int i = 0; i < want.size(); i++) {
                if (want.get(i).isFile()) {
                    assertArrayEquals(expected.readAllBytes(want.get(i)), actual.readAllBytes(got.get(i)));
                }
            }
        }
    }

    static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
