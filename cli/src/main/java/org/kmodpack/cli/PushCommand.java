package org.kmodpack.cli;

import java.nio.file.Path;
import org.kmodpack.oci.OciReference;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

@Command(name = "push", mixinStandardHelpOptions = true,
        description = {"Upload a bundle to an OCI registry as an artifact: one layer of media type "
                + "application/vnd.kmodpack.bundle.v1, the manifest annotated with the kernel version "
                + "(org.kmodpack.kernel.version) and the signed statement's SHA-256 (org.kmodpack.statement.sha256).",
            "Every command that reads a bundle then takes the oci:// reference where it takes a file."},
        footer = {"", "Example:", "  kmodpack push modules-6.1.0-28-amd64.kpack oci://registry.example/kernels/modules:6.1.0-28-amd64",
            "  kmodpack mount oci://registry.example/kernels/modules:6.1.0-28-amd64 --trust release.pub"})
final class PushCommand extends Subcommand {
    @Parameters(index = "0", paramLabel = "BUNDLE", description = "The bundle file to upload.")
    Path bundle;

    @Parameters(index = "1", paramLabel = "oci://REGISTRY/REPOSITORY:TAG",
            description = "Where to push: the registry, the repository and the tag.")
    String target;

    @Mixin
    SourceOptions source;

    @Override
    public Integer call() throws Exception {
        if (!OciReference.isOci(target)) {
            throw new IllegalArgumentException(target + ": push to an OCI reference: oci://REGISTRY/REPOSITORY:TAG");
        }
        String manifest = source.registry(target).push(bundle);
        out().printf("%s: pushed to %s (manifest %s)%n", bundle, target, manifest);
        return 0;
    }
}
