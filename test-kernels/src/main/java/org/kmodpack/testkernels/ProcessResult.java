package org.kmodpack.testkernels;

import java.util.List;

/** What a finished external command produced. */
public record ProcessResult(List<String> command, int exitCode, String stdout, String stderr) {

    public boolean succeeded() {
        return exitCode == 0;
    }

    /** A one-paragraph account of the run for error messages: the command, its exit code and its stderr. */
    public String describe() {
        return String.join(" ", command) + " exited with " + exitCode
                + (stderr.isBlank() ? "" : ", stderr:\n" + stderr.strip());
    }
}
