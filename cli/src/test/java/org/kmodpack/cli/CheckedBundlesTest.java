package org.kmodpack.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.kmodpack.reader.Bundle;
import org.kmodpack.testkernels.SyntheticKernel;
import org.kmodpack.testkernels.SyntheticKernels;

/**
 * The record of bundle files checked whole: a file counts as checked only while it is the same file, with the
 * same size, modification time and change time, as when it was checked.
 */
class CheckedBundlesTest {
    @TempDir
    static Path work;
    static Path packed;

    @BeforeAll
    static void pack() throws IOException {
        packed = work.resolve("basic.kpack");
        CliTest.Run pack = CliTest.run("pack", SyntheticKernels.moduleDir(SyntheticKernel.BASIC).toString(), "-o",
                packed.toString());
        assertEquals(0, pack.exit(), pack.err());
    }

    @Test
    void aFileIsCheckedUntilItIsWrittenAgainEvenWithItsTimeSetBack() throws IOException {
        Path file = copy("written.kpack");
        CheckedBundles record = new CheckedBundles(work.resolve("record-written"));
        CheckedBundles.FileState before = state(file);
        try (Bundle bundle = Bundle.open(file)) {
            assertFalse(record.contains(before, bundle), "nothing is recorded before a check");
            record.add(before, bundle);
            assertTrue(record.contains(state(file), bundle));
            assertTrue(new CheckedBundles(work.resolve("record-written")).contains(state(file), bundle),
                    "the record outlives the process that wrote it");
            rewriteKeepingItsTime(file);
            assertFalse(record.contains(state(file), bundle),
                    "the same bytes written again, the modification time put back: the change time differs");
            assertFalse(record.contains(before, bundle), "nor does the state taken before count any more");
        }
    }

    @Test
    void aFileWrittenWhileItWasCheckedIsNotRecorded() throws IOException {
        Path file = copy("replaced.kpack");
        CheckedBundles record = new CheckedBundles(work.resolve("record-replaced"));
        CheckedBundles.FileState before = state(file);
        try (Bundle bundle = Bundle.open(file)) {
            rewriteKeepingItsTime(file);
            record.add(before, bundle);
            assertFalse(record.contains(state(file), bundle), "what was checked is not what the path now holds");
        }
    }

    @Test
    void anotherCopyOfTheSameBundleIsNotChecked() throws IOException {
        Path file = copy("first.kpack");
        Path other = copy("second.kpack");
        CheckedBundles record = new CheckedBundles(work.resolve("record-copies"));
        try (Bundle bundle = Bundle.open(file); Bundle otherBundle = Bundle.open(other)) {
            record.add(state(file), bundle);
            assertFalse(record.contains(state(other), otherBundle), "the record is of a file, not of its index");
        }
    }

    @Test
    void aRecordThatCannotBeWrittenLeavesTheFileUnchecked() throws IOException {
        Path file = copy("unwritable.kpack");
        Path notADirectory = Files.writeString(work.resolve("not-a-directory"), "");
        CheckedBundles record = new CheckedBundles(notADirectory);
        try (Bundle bundle = Bundle.open(file)) {
            record.add(state(file), bundle);
            assertFalse(record.contains(state(file), bundle));
        }
    }

    @Test
    void aUrlHasNoFileState() {
        assertTrue(CheckedBundles.FileState.of("https://boot.example/modules.kpack").isEmpty());
    }

    private static CheckedBundles.FileState state(Path file) {
        return CheckedBundles.FileState.of(file.toString()).orElseThrow();
    }

    private static void rewriteKeepingItsTime(Path file) throws IOException {
        FileTime modified = Files.getLastModifiedTime(file);
        Files.write(file, Files.readAllBytes(file));
        Files.setLastModifiedTime(file, modified);
    }

    private static Path copy(String name) throws IOException {
        return Files.copy(packed, work.resolve(name));
    }
}
