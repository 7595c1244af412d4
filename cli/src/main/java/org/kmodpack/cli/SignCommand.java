package org.kmodpack.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.kmodpack.packer.BundleSigner;
import org.kmodpack.packer.SigningKey;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "sign", mixinStandardHelpOptions = true,
        description = {"Add signatures to a bundle in place, without repacking (atomically: a new file is renamed "
                + "over the old one).",
            "A signed bundle keeps its statement (serial, expiry); --serial and --expires apply to unsigned ones."},
        footer = {"", "Examples:", "  kmodpack sign modules-6.1.0-28-amd64.kpack --key release.key",
            "  kmodpack sign modules-6.1.0-28-amd64.kpack --key linux/certs/signing_key.pem"})
final class SignCommand extends Subcommand {
    @Parameters(paramLabel = "BUNDLE", description = "The bundle file to sign in place.")
    Path bundlePath;

    @ArgGroup(exclusive = false, multiplicity = "1..*")
    List<KeyOption> keys = new ArrayList<>();

    @Mixin
    StatementOptions statement;

    static final class KeyOption {
        @Option(names = "--key", paramLabel = "KEY", required = true,
                description = "Private key (PEM): Ed25519, or RSA/ECDSA with its certificate (in the PEM or "
                        + "--cert). Repeatable.")
        Path key;

        @Option(names = "--cert", paramLabel = "CERT", description = "Certificate (PEM or DER) of the preceding key.")
        Path cert;
    }

    @Override
    public Integer call() throws Exception {
        List<SigningKey> signers = new ArrayList<>();
        for (KeyOption option : keys) {
            signers.add(SigningKey.load(option.key, option.cert));
        }
        long serial;
        try {
            serial = BundleSigner.sign(bundlePath, signers, statement.terms());
        } catch (IllegalArgumentException e) {
            throw usageError(e.getMessage());
        } catch (java.io.IOException e) {
            throw OutputFile.named(bundlePath, e);
        }
        for (SigningKey signer : signers) {
            out().printf("%s: signed by %s (serial %d)%n", bundlePath, signer.describe(), serial);
        }
        out().flush();
        return 0;
    }
}
