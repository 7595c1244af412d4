package org.kmodpack.format;

/** A well-formed bundle that needs a newer reader: a higher major version or an unknown required section. */
public final class UnsupportedBundleException extends CorruptBundleException {
    private static final long serialVersionUID = 1L;

    public UnsupportedBundleException(String bundle, String what) {
        super(bundle + ": " + what + "; this kmodpack reads format " + Header.MAJOR_VERSION + ".x: upgrade kmodpack");
    }
}
