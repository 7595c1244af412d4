package org.kmodpack.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.kmodpack.oci.Registry;
import org.kmodpack.reader.Bundle;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "pull", mixinStandardHelpOptions = true,
        description = {"Download a bundle from an OCI registry to a file, checking it against the manifest's digest, "
                + "every block against its hash and, with --trust, the signatures; a file that fails is removed."},
        footer = {"", "Example:", "  kmodpack pull oci://registry.example/kernels/modules:6.1.0-28-amd64 -o modules.kpack --trust release.pub"})
final class PullCommand extends Subcommand {
    @Parameters(index = "0", paramLabel = "oci://REGISTRY/REPOSITORY:TAG|@sha256:DIGEST",
            description = "The artifact to download, by tag or by digest.")
    String reference;

    @Option(names = {"-o", "--output"}, required = true, paramLabel = "FILE", description = "The file to write.")
    Path output;

    @Mixin
    TrustOptions trust;

    @Override
    public Integer call() throws Exception {
        trust.refusePolicyWithoutTrust();
        OutputFile.checkWritable(output);
        Registry.Blob blob = trust.source.registry(reference).pull(output);
        try (Bundle bundle = trust.given() ? Bundle.open(output, trust.policy()) : Bundle.open(output)) {
            bundle.verifyBlockHashes();
            out().printf("%s: %s (%s, kernel %s), every block matches its SHA-256%s%n",
                    output, reference, Sizes.human(blob.size()), bundle.kernelVersion(),
                    trust.given() ? ", signatures trusted" : "; signatures not checked (no --trust)");
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(output);
            throw e;
        }
        return 0;
    }
}
