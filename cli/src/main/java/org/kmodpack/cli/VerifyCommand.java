package org.kmodpack.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.kmodpack.reader.Bundle;
import org.kmodpack.reader.BundleInfo;
import org.kmodpack.reader.SignatureRefusedException;
import org.kmodpack.reader.SignatureStatus;
import org.kmodpack.reader.TrustPolicy;
import org.kmodpack.reader.Verification;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "verify", mixinStandardHelpOptions = true,
        description = {"Check a bundle's signatures against trusted keys and every block against its hash.",
            "Prints who signed and which signatures are trusted; exits 0 only when the policy accepts the "
                + "signatures and every byte matches. Without --trust, trusts "
                + "/etc/kmodpack/trusted.d."},
        footer = {"", "Examples:", "  kmodpack verify modules-6.1.0-28-amd64.kpack --trust release.pub",
            "  kmodpack verify modules-6.1.0-28-amd64.kpack --trust linux/certs/signing_key.x509 --min-serial 1700000000"})
final class VerifyCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "BUNDLE")
    Path bundlePath;

    @Mixin
    TrustOptions trust;

    @Override
    public Integer call() throws Exception {
        TrustPolicy policy = trust.policy();
        PrintWriter out = spec.commandLine().getOut();
        try (Bundle bundle = Bundle.open(bundlePath)) {
            Verification verification = bundle.verifySignatures(policy);
            out.printf(Locale.ROOT, "bundle:      %s%n", bundlePath);
            out.printf(Locale.ROOT, "kernel:      %s%n", bundle.kernelVersion());
            if (verification.signed()) {
                out.printf(Locale.ROOT, "serial:      %d%n", verification.serial());
                out.printf(Locale.ROOT, "expires:     %s%n", verification.expires().map(Object::toString).orElse("never"));
            } else {
                out.println("signatures:  none (unsigned)");
            }
            for (SignatureStatus s : verification.signatures()) {
                out.printf(Locale.ROOT, "signature %d: %s by %s: %s%s%n", s.number(), s.kind(), s.signer(),
                        s.trusted() ? "trusted, " + s.detail() + " with " + s.trustedAs()
                                : s.outcome().name().toLowerCase(Locale.ROOT).replace('_', ' ') + ", " + s.detail(),
                        s.trusted() ? "" : " (not counted)");
            }
            out.flush();
            if (!verification.accepted()) {
                throw new SignatureRefusedException(bundlePath.toString(), verification.refusal().orElseThrow());
            }
            bundle.verifyBlockHashes();
            BundleInfo info = bundle.info();
            out.printf(Locale.ROOT, "blocks:      all %d match their SHA-256 (%s)%n", info.blockCount(),
                    Sizes.human(info.storedDataLength()));
            out.printf(Locale.ROOT, "verified:    %d trusted key%s (%d required); every byte matches what they signed%n",
                    verification.trustedKeys(), verification.trustedKeys() == 1 ? "" : "s", trust.threshold);
        }
        out.flush();
        return 0;
    }
}
