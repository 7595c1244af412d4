package org.kmodpack.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import org.kmodpack.modules.ModuleSignatureStatus;
import org.kmodpack.modules.ModuleSignatureCheck;
import org.kmodpack.reader.Bundle;
import org.kmodpack.reader.BundleInfo;
import org.kmodpack.reader.SignatureRefusedException;
import org.kmodpack.reader.SignatureStatus;
import org.kmodpack.reader.TrustPolicy;
import org.kmodpack.reader.Verification;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "verify", mixinStandardHelpOptions = true,
        description = {"Check a bundle's signatures against trusted keys and every block against its hash.",
            "Prints who signed and which signatures are trusted; exits 0 only when the policy accepts the "
                + "signatures and every byte matches. Without --trust, trusts "
                + "/etc/kmodpack/trusted.d.",
            "With --modules, also checks each module's own appended signature (the one the kernel checks when "
                + "it loads the module) against --module-cert, lists unsigned and failing modules, and exits 0 "
                + "only if every module verifies. The bundle's signatures are then checked only when --trust is "
                + "given (block hashes always are)."},
        footer = {"", "Examples:", "  kmodpack verify modules-6.1.0-28-amd64.kpack --trust release.pub",
            "  kmodpack verify modules-6.1.0-28-amd64.kpack --trust linux/certs/signing_key.x509 --min-serial 1700000000",
            "  kmodpack verify modules-6.1.0-28-amd64.kpack --modules --module-cert linux/certs/signing_key.x509"})
final class VerifyCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "BUNDLE")
    String bundleLocation;

    @Mixin
    TrustOptions trust;

    @Option(names = "--modules",
            description = "Check every module's appended signature (after decompressing .ko.xz/.zst/.gz) "
                    + "against --module-cert.")
    boolean modules;

    @Option(names = "--module-cert", paramLabel = "CERT",
            description = "A certificate (PEM or DER, e.g. the kernel build's certs/signing_key.x509) that module "
                    + "signatures may verify with; repeatable. Required with --modules.")
    List<Path> moduleCerts = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        if (modules == moduleCerts.isEmpty()) {
            throw new ParameterException(spec.commandLine(), modules ? "--modules needs --module-cert CERT: the "
                    + "certificate the modules were signed with (the kernel build's certs/signing_key.x509)"
                    : "--module-cert applies to module signatures: give --modules too");
        }
        // verify alone always checks the bundle's signatures; with --modules only when asked to (--trust).
        boolean checkBundle = !modules || trust.given();
        if (!checkBundle) {
            trust.refusePolicyWithoutTrust();
        }
        TrustPolicy policy = checkBundle ? trust.policy() : null;
        TrustPolicy moduleCertificates = modules ? TrustPolicy.trusting(moduleCerts) : null;
        PrintWriter out = spec.commandLine().getOut();
        try (Bundle bundle = trust.source.open(bundleLocation, Bundle.DEFAULT_CACHE_BYTES)) {
            out.printf(Locale.ROOT, "bundle:      %s%n", bundleLocation);
            out.printf(Locale.ROOT, "kernel:      %s%n", bundle.kernelVersion());
            Verification verification = checkBundle ? checkSignatures(bundle, policy, out) : null;
            if (!checkBundle) {
                out.println("signatures:  not checked (--modules without --trust)");
            }
            bundle.verifyBlockHashes();
            BundleInfo info = bundle.info();
            out.printf(Locale.ROOT, "blocks:      all %d match their SHA-256 (%s)%n", info.blockCount(),
                    Sizes.human(info.storedDataLength()));
            if (checkBundle) {
                out.printf(Locale.ROOT, "verified:    %d trusted key%s (%d required); every byte matches what "
                        + "they signed%n", verification.trustedKeys(), verification.trustedKeys() == 1 ? "" : "s",
                        trust.threshold);
            }
            if (modules) {
                checkModules(bundle, moduleCertificates, out);
            }
        }
        out.flush();
        return 0;
    }

    private Verification checkSignatures(Bundle bundle, TrustPolicy policy, PrintWriter out)
            throws SignatureRefusedException {
        Verification verification = bundle.verifySignatures(policy);
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
            throw new SignatureRefusedException(bundleLocation, verification.refusal().orElseThrow());
        }
        return verification;
    }

    /** Lists every module that is unsigned or fails, then one line per signer of the verified ones. */
    private void checkModules(Bundle bundle, TrustPolicy certificates, PrintWriter out) throws IOException {
        List<ModuleSignatureStatus> statuses = ModuleSignatureCheck.check(bundle, certificates);
        Map<String, Integer> verifiedBySigner = new TreeMap<>();
        int unsigned = 0;
        int failed = 0;
        for (ModuleSignatureStatus s : statuses) {
            switch (s.state()) {
                case VERIFIED -> verifiedBySigner.merge(s.signer(), 1, Integer::sum);
                case UNSIGNED -> {
                    unsigned++;
                    out.printf(Locale.ROOT, "unsigned:    %s%n", s.path());
                }
                case FAILED -> {
                    failed++;
                    out.printf(Locale.ROOT, "failed:      %s: %s%s%n", s.path(), s.detail(),
                            s.signer().isEmpty() ? "" : " (signer " + s.signer() + ")");
                }
            }
        }
        verifiedBySigner.forEach((signer, count) -> out.printf(Locale.ROOT, "signed by:   %s: %d module%s "
                + "verified%n", signer, count, count == 1 ? "" : "s"));
        String certs = String.join(", ", moduleCerts.stream().map(Path::toString).toList());
        out.printf(Locale.ROOT, "modules:     %d of %d verified against %s; %d unsigned, %d failed%n",
                statuses.size() - unsigned - failed, statuses.size(), certs, unsigned, failed);
        out.flush();
        if (unsigned + failed > 0) {
            throw new IOException(bundleLocation + ": " + (unsigned + failed) + " of " + statuses.size() + " modules "
                    + "are unsigned or fail their signature check against " + certs + " (listed above); sign them "
                    + "with that certificate's key (the kernel's scripts/sign-file), or give the certificate they "
                    + "were signed with");
        }
    }
}
