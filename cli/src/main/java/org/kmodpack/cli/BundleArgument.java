package org.kmodpack.cli;

import java.io.IOException;
import org.kmodpack.reader.Bundle;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/**
 * The BUNDLE argument of the inspection commands (info, ls, cat, extract, verify) and the trust options it is
 * opened under: every block checked against its hash, the signatures when --trust is given.
 */
final class BundleArgument {
    @Parameters(index = "0", paramLabel = "BUNDLE", description = SourceOptions.BUNDLE)
    String location;

    @Mixin
    TrustOptions trust;

    Bundle open() throws IOException {
        return trust.open(location);
    }

}
