package org.kmodpack.testkernels;

/** A non-module entry of a synthetic module directory; paths are relative to the module directory. */
sealed interface TreeEntry {

    String path();

    /** A regular file with UTF-8 content and the given permission bits (e.g. 0644). */
    record File(String path, String content, int mode) implements TreeEntry {
    }

    record Symlink(String path, String target) implements TreeEntry {
    }

    /** A second name for the already written entry {@code existing}. */
    record HardLink(String path, String existing) implements TreeEntry {
    }

    record EmptyDirectory(String path) implements TreeEntry {
    }
}
