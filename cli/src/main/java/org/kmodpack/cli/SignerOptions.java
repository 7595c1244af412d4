package org.kmodpack.cli;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/** pack's signers: a private key and, for RSA and ECDSA keys whose PEM does not hold it, its certificate. */
final class SignerOptions {
    @Option(names = "--sign", paramLabel = "KEY", required = true,
            description = "Private key (PEM): Ed25519 (kmodpack keygen), or RSA/ECDSA with its certificate, "
                    + "e.g. a kernel build's certs/signing_key.pem. Repeatable.")
    Path key;

    @Option(names = "--cert", paramLabel = "CERT",
            description = "Certificate (PEM or DER) of the preceding RSA/ECDSA key, if its PEM lacks one.")
    Path cert;
}
