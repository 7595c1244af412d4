package org.kmodpack.reader;

import java.io.IOException;

/**
 * A bundle whose signatures do not satisfy the trust policy: unsigned, signed by no trusted key, too few
 * trusted keys, rolled back below the minimum serial, or expired. Nothing of it is read.
 */
public final class SignatureRefusedException extends IOException {
    private static final long serialVersionUID = 1L;

    public SignatureRefusedException(String bundle, String reason) {
        super(bundle + ": refused: " + reason);
    }
}
