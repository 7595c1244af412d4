package org.kmodpack.modules;

/**
 * What checking one module file's appended signature found. {@code path} is relative to the module
 * directory; {@code signer} names whom the signature claims (issuer and serial, or subject key id), "" when
 * there is none to name; {@code detail} says why a signature failed.
 */
public record ModuleSignatureStatus(String path, State state, String signer, String detail) {
    public enum State {
        /** The signature verifies against one of the given certificates. */
        VERIFIED,
        /** The module carries no appended signature. */
        UNSIGNED,
        /** It carries one, and it does not verify: another signer, damage, a refused algorithm, bad form. */
        FAILED
    }

    public boolean verified() {
        return state == State.VERIFIED;
    }
}
