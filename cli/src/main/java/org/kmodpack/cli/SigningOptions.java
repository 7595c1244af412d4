package org.kmodpack.cli;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.kmodpack.packer.SigningKey;
import org.kmodpack.packer.StatementTerms;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Mixin;

/** Who signs a bundle a command writes (--sign KEY [--cert CERT], repeatable), and the terms of its statement. */
final class SigningOptions {
    @ArgGroup(exclusive = false, multiplicity = "0..*")
    List<SignerOptions> signers = new ArrayList<>();

    @Mixin
    StatementOptions statement;

    /** The keys, loaded before any work: a wrong key or password fails in a second, not after the packing. */
    List<SigningKey> keys() throws IOException {
        List<SigningKey> keys = new ArrayList<>();
        for (SignerOptions signer : signers) {
            keys.add(SigningKey.load(signer.key, signer.cert));
        }
        return keys;
    }

    StatementTerms terms() {
        return statement.terms();
    }
}
