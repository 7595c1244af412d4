package org.kmodpack.format;

/** A data block's stored bytes do not match the SHA-256 the index records for it; they are never returned. */
public final class BlockIntegrityException extends CorruptBundleException {
    private static final long serialVersionUID = 1L;

    public BlockIntegrityException(String bundle, int block, String path) {
        super(bundle + ": block " + block + (path == null ? "" : " (holding " + path + ")")
                + " fails its SHA-256 check; the bundle was modified or damaged after packing: copy it again");
    }
}
