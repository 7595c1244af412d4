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
        try (Bundle bundle = Bundle.open(file)) {
            assertFalse(record.contains(file, bundle), "nothing is recorded before a check");
            record.add(file, bundle);
            assertTrue(record.contains(file, bundle));
            assertTrue(new CheckedBundles(work.resolve("record-written")).contains(file, bundle),
                    "the record outlives the process that wrote it");
            FileTime modified = Files.getLastModifiedTime(file);
            Files.write(file, Files.readAllBytes(file));
            Files.setLastModifiedTime(file, modified);
            assertFalse(record.contains(file, bundle),
                    "the same bytes written again, the modification time put back: the change time differs");
        }
    }

    @Test
    void anotherCopyOfTheSameBundleIsNotChecked() throws IOException {
        Path file = copy("first.kpack");
        Path other = copy("second.kpack");
        CheckedBundles record = new CheckedBundles(work.resolve("record-copies"));
        try (Bundle bundle = Bundle.open(file); Bundle otherBundle = Bundle.open(other)) {
            record.add(file, bundle);
            assertFalse(record.contains(other, otherBundle), "the record is of a file, not of its index");
        }
    }

    @Test
    void aRecordThatCannotBeWrittenLeavesTheFileUnchecked() throws IOException {
        Path file = copy("unwritable.kpack");
        Path notADirectory = Files.writeString(work.resolve("not-a-directory"), "");
        CheckedBundles record = new CheckedBundles(notADirectory);
        try (Bundle bundle = Bundle.open(file)) {
            record.add(file, bundle);
            assertFalse(record.contains(file, bundle));
        }
    }

    private static Path copy(String name) throws IOException {
        return Files.copy(packed, work.resolve(name));
    }
}
