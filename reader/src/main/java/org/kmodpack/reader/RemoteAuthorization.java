package org.kmodpack.reader;

import java.io.IOException;
import java.util.Optional;

/**
 * The credentials a remote source sends (an OCI registry's bearer token), renewed when the server answers 401:
 * tokens expire within minutes, mounts last for days.
 */
public interface RemoteAuthorization {
    /** For servers that need none. */
    RemoteAuthorization NONE = new RemoteAuthorization() {
        @Override
        public Optional<String> header() {
            return Optional.empty();
        }

        @Override
        public void renew(String challenge) throws IOException {
            throw new IOException("the server asks for credentials (" + challenge + ")");
        }
    };

    /** The value of the Authorization header to send, if any. */
    Optional<String> header();

    /** Answers a 401's WWW-Authenticate {@code challenge} (a new token, say), or throws saying why it cannot. */
    void renew(String challenge) throws IOException;
}
