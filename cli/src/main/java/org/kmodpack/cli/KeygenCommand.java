package org.kmodpack.cli;

import java.nio.file.Path;
import org.kmodpack.packer.KeyGenerator;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "keygen", mixinStandardHelpOptions = true,
        description = {"Make an Ed25519 signing key: PREFIX.key (PKCS#8 PEM, mode 0600) and PREFIX.pub (public key "
                + "PEM, for --trust and /etc/kmodpack/trusted.d). openssl reads both. Existing files are never "
                + "overwritten."},
        footer = {"", "Example:", "  kmodpack keygen -o release && kmodpack pack /lib/modules/6.1.0-28-amd64 --sign release.key"})
final class KeygenCommand extends Subcommand {
    @Option(names = {"-o", "--output"}, paramLabel = "PREFIX", required = true,
            description = "Write PREFIX.key and PREFIX.pub.")
    Path prefix;

    @Override
    public Integer call() throws Exception {
        OutputFile.checkWritable(Path.of(prefix + ".key"));
        KeyGenerator.KeyFiles files = KeyGenerator.generate(prefix);
        out().printf("%s, %s: ed25519 key %s%n", files.privateKey(), files.publicKey(),
                files.keyId());
        out().flush();
        return 0;
    }
}
