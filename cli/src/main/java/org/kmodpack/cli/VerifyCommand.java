package org.kmodpack.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
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
final class VerifyCommand extends Subcommand {
    @Mixin
    BundleArgument bundleArgument;

    @Option(names = "--allow-unsigned",
            description = "Accept a bundle that carries no signature and check every block of it (a signed one "
                    + "must still verify).")
    boolean allowUnsigned;

    @Option(names = "--modules",
            description = "Check every module's appended signature (after decompressing .ko.xz/.zst/.gz) "
                    + "against --module-cert.")
    boolean modules;

    @Option(names = "--module-cert", paramLabel = "CERT",
            description = "A certificate (PEM or DER, e.g. the kernel build's certs/signing_key.x509) that module "
                    + "signatures may verify with; repeatable. Required with --modules.")
    List<Path> moduleCerts = new ArrayList<>();

    @Option(names = "--json", description = "One JSON object: each signature's and each block's status (schema in "
            + "the README). Exit status as without it.")
    boolean json;

    @Mixin
    ProgressOptions progress;

    @Override
    public Integer call() throws Exception {
        if (modules == moduleCerts.isEmpty()) {
            throw usageError(modules ? "--modules needs --module-cert CERT: the "
                    + "certificate the modules were signed with (the kernel build's certs/signing_key.x509)"
                    : "--module-cert applies to module signatures: give --modules too");
        }
        // verify alone always checks the bundle's signatures; with --modules only when asked to (--trust).
        boolean checkBundle = !modules || bundleArgument.trust.given();
        if (!checkBundle) {
            bundleArgument.trust.refusePolicyWithoutTrust();
        }
        // The policy before the bundle: a wrong option is a usage error whatever the bundle. With --allow-unsigned
        // an unsigned bundle needs none (no trust directory either).
        TrustPolicy policy = checkBundle && !allowUnsigned ? bundleArgument.trust.policy() : null;
        TrustPolicy moduleCertificates = modules ? TrustPolicy.trusting(moduleCerts) : null;
        PrintWriter out = out();
        Map<String, Object> report = new LinkedHashMap<>();
        String refusal = null;
        try (Bundle bundle = bundleArgument.trust.source.open(bundleArgument.location, Bundle.DEFAULT_CACHE_BYTES)) {
            report.put("bundle", bundleArgument.location);
            report.put("kernel_version", bundle.kernelVersion());
            text(out, "bundle:      %s%n", bundleArgument.location);
            text(out, "kernel:      %s%n", bundle.kernelVersion());
            boolean unsignedAllowed = allowUnsigned && !bundle.isSigned();
            report.put("signatures_checked", checkBundle && !unsignedAllowed);
            if (checkBundle && !unsignedAllowed) {
                refusal = checkSignatures(bundle, policy != null ? policy : bundleArgument.trust.policy(), out, report);
            } else {
                text(out, "signatures:  %s%n", unsignedAllowed ? "none (unsigned; accepted with --allow-unsigned)"
                        : "not checked (--modules without --trust)");
            }
            List<Object> blocks = new ArrayList<>();
            List<Integer> damaged = new ArrayList<>();
            BundleInfo info = bundle.info();
            // The bar counts blocks; its bytes are the blocks' share of the stored data, close enough for a rate.
            progress.during(err(), "verifying " + bundleArgument.location + ": checking every block", "blocks",
                    bar -> {
                        bundle.checkBlockHashes((block, matches) -> {
                            Map<String, Object> status = new LinkedHashMap<>();
                            status.put("block", block);
                            status.put("status", matches ? "ok" : "sha256 mismatch");
                            blocks.add(status);
                            if (!matches) {
                                damaged.add(block);
                            }
                            bar.update(block + 1, info.blockCount(), info.storedDataLength() * (block + 1)
                                    / info.blockCount(), info.storedDataLength());
                        });
                        return null;
                    });
            for (int block : damaged) {
                text(out, "damaged:     block %d does not match its SHA-256%n", block);
            }
            report.put("blocks", blocks);
            if (damaged.isEmpty()) {
                text(out, "blocks:      all %d match their SHA-256 (%s)%n", info.blockCount(),
                        Sizes.human(info.storedDataLength()));
            } else {
                // The reader's words for the first damaged block, as every reading command says them.
                refusal = refusal != null ? refusal : new org.kmodpack.format.BlockIntegrityException(
                        bundleArgument.location, damaged.get(0), null).getMessage()
                        + (damaged.size() == 1 ? "" : " (" + damaged.size() + " of " + info.blockCount()
                                + " blocks fail it, listed above)");
            }
            if (refusal == null && checkBundle && !unsignedAllowed) {
                Object trusted = report.get("trusted_keys");
                text(out, "verified:    %d trusted key%s (%d required); every byte matches what they signed%n",
                        trusted, Integer.valueOf(1).equals(trusted) ? "" : "s", bundleArgument.trust.threshold);
            }
            if (modules && refusal == null) {
                refusal = checkModules(bundle, moduleCertificates, out, report);
            }
        }
        report.put("verified", refusal == null);
        if (json) {
            out.println(Json.write(report));
        }
        out.flush();
        if (refusal != null) {
            PrintWriter err = err();
            err.println("kmodpack: " + refusal);
            err.flush();
            return 1;
        }
        return 0;
    }

    /** A line of the text report; nothing with --json, or with --quiet (the exit status and errors tell). */
    private void text(PrintWriter out, String format, Object... arguments) {
        if (!json) {
            progress.summary(out, format, arguments);
        }
    }

    /** Checks and reports the signatures; returns why the policy refuses them, or null. */
    private String checkSignatures(Bundle bundle, TrustPolicy policy, PrintWriter out, Map<String, Object> report) {
        Verification verification = bundle.verifySignatures(policy);
        report.put("signed", verification.signed());
        report.put("serial", verification.signed() ? verification.serial() : null);
        report.put("expires", verification.expires().map(Object::toString).orElse(null));
        if (verification.signed()) {
            text(out, "serial:      %d%n", verification.serial());
            text(out, "expires:     %s%n", verification.expires().map(Object::toString).orElse("never"));
        } else {
            text(out, "signatures:  none (unsigned)%n");
        }
        List<Object> signatures = new ArrayList<>();
        for (SignatureStatus s : verification.signatures()) {
            String outcome = s.outcome().name().toLowerCase(Locale.ROOT).replace('_', ' ');
            text(out, "signature %d: %s by %s: %s%s%n", s.number(), s.kind(), s.signer(),
                    s.trusted() ? "trusted, " + s.detail() + " with " + s.trustedAs() : outcome + ", " + s.detail(),
                    s.trusted() ? "" : " (not counted)");
            Map<String, Object> signature = new LinkedHashMap<>();
            signature.put("number", s.number());
            signature.put("kind", s.kind());
            signature.put("signer", s.signer());
            signature.put("status", outcome);
            signature.put("trusted", s.trusted());
            signature.put("detail", s.detail());
            signature.put("trusted_as", s.trusted() ? s.trustedAs() : null);
            signatures.add(signature);
        }
        report.put("signatures", signatures);
        report.put("trusted_keys", verification.trustedKeys());
        report.put("threshold", bundleArgument.trust.threshold);
        if (!verification.accepted()) {
            return new SignatureRefusedException(bundleArgument.location, verification.refusal().orElseThrow())
                    .getMessage();
        }
        return null;
    }

    /**
     * Lists every module that is unsigned or fails, then one line per signer of the verified ones; returns why
     * the modules fail, or null.
     */
    private String checkModules(Bundle bundle, TrustPolicy certificates, PrintWriter out, Map<String, Object> report)
            throws IOException {
        List<ModuleSignatureStatus> statuses = ModuleSignatureCheck.check(bundle, certificates);
        Map<String, Integer> verifiedBySigner = new TreeMap<>();
        List<Object> listed = new ArrayList<>();
        int unsigned = 0;
        int failed = 0;
        for (ModuleSignatureStatus s : statuses) {
            Map<String, Object> module = new LinkedHashMap<>();
            module.put("path", s.path());
            module.put("state", s.state().name().toLowerCase(Locale.ROOT));
            module.put("signer", s.signer().isEmpty() ? null : s.signer());
            module.put("detail", s.detail());
            listed.add(module);
            switch (s.state()) {
                case VERIFIED -> verifiedBySigner.merge(s.signer(), 1, Integer::sum);
                case UNSIGNED -> {
                    unsigned++;
                    text(out, "unsigned:    %s%n", s.path());
                }
                case FAILED -> {
                    failed++;
                    text(out, "failed:      %s: %s%s%n", s.path(), s.detail(),
                            s.signer().isEmpty() ? "" : " (signer " + s.signer() + ")");
                }
            }
        }
        verifiedBySigner.forEach((signer, count) -> text(out, "signed by:   %s: %d module%s verified%n", signer,
                count, count == 1 ? "" : "s"));
        String certs = String.join(", ", moduleCerts.stream().map(Path::toString).toList());
        text(out, "modules:     %d of %d verified against %s; %d unsigned, %d failed%n",
                statuses.size() - unsigned - failed, statuses.size(), certs, unsigned, failed);
        report.put("modules", listed);
        if (unsigned + failed > 0) {
            return bundleArgument.location + ": " + (unsigned + failed) + " of " + statuses.size() + " modules "
                    + "are unsigned or fail their signature check against " + certs + " (listed above); sign them "
                    + "with that certificate's key (the kernel's scripts/sign-file), or give the certificate they "
                    + "were signed with";
        }
        return null;
    }
}
