package org.kmodpack.reader;

import java.io.IOException;

/**
 * A byte source could not deliver bytes (a server refused, timed out or went away): unlike a
 * {@link org.kmodpack.format.BlockIntegrityException}, nothing is known to be wrong with the bundle itself, and
 * the same read may work later.
 */
public final class SourceReadException extends IOException {
    private static final long serialVersionUID = 1L;

    public SourceReadException(String message, Throwable cause) {
        super(message, cause);
    }
}
