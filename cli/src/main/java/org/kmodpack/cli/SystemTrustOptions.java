package org.kmodpack.cli;

import java.io.IOException;
import java.nio.file.Path;
import org.kmodpack.reader.Bundle;
import org.kmodpack.reader.TrustPolicy;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The trust options of commands that hand modules to the system (mount, modprobe, insmod, initramfs): the
 * signature options every reading command has, and --allow-unsigned, which only these need.
 */
final class SystemTrustOptions {
    @Mixin
    TrustOptions signatures;

    @Option(names = "--allow-unsigned",
            description = "Accept a bundle that carries no signature (a signed one must still verify with --trust).")
    boolean allowUnsigned;

    /**
     * A trusted signature is required unless --allow-unsigned; even then a signed bundle must verify when
     * --trust is given.
     */
    Bundle open(Path bundle, long cacheBytes) throws IOException {
        if (allowUnsigned) {
            boolean signed;
            try (Bundle probe = Bundle.open(bundle)) {
                signed = probe.isSigned();
            }
            if (!signed || !signatures.given()) {
                return Bundle.open(bundle, TrustPolicy.allowingUnsigned(), cacheBytes);
            }
        }
        return Bundle.open(bundle, signatures.policy(), cacheBytes);
    }
}
