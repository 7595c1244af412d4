package org.kmodpack.modules;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.kmodpack.modules.ModuleSignatureStatus.State;
import org.kmodpack.reader.Bundle;
import org.kmodpack.reader.Entry;
import org.kmodpack.reader.SignatureStatus;
import org.kmodpack.reader.TrustPolicy;

/**
 * Checks each module's own signature, as the kernel does when it loads the module (mod_verify_sig): every
 * regular file of the bundle named *.ko, *.ko.xz, *.ko.zst or *.ko.gz is decompressed, its appended PKCS#7
 * signature is found, and it is verified over the bytes before it against the policy's certificates. The
 * module index is not consulted, so a module depmod did not list is checked all the same.
 */
public final class ModuleSignatureCheck {
    private ModuleSignatureCheck() {
    }

    /**
     * One status per module file, in the bundle's order. A module that does not decompress fails; a damaged
     * block of the bundle throws, as every read of it does.
     */
    public static List<ModuleSignatureStatus> check(Bundle bundle, TrustPolicy certificates) throws IOException {
        List<ModuleSignatureStatus> statuses = new ArrayList<>();
        for (Entry entry : bundle.entries()) {
            if (entry.isFile() && ModuleNames.isModuleFile(entry.path())) {
                byte[] raw = bundle.readAllBytes(entry);
                byte[] module;
                try {
                    module = ModuleFile.decompress(entry.path(), raw);
                } catch (IOException damaged) {
                    // The bundle holds the file as packed; the kernel could not load it either: one failed module.
                    statuses.add(new ModuleSignatureStatus(entry.path(), State.FAILED, "", damaged.getMessage()));
                    continue;
                }
                statuses.add(check(entry.path(), module, certificates));
            }
        }
        return statuses;
    }

    static ModuleSignatureStatus check(String path, byte[] module, TrustPolicy certificates) {
        if (!ModuleFile.isElf(module)) {
            return new ModuleSignatureStatus(path, State.FAILED, "", "not an ELF module (the kernel refuses it: "
                    + "Exec format error); rebuild or reinstall it");
        }
        Optional<SignatureTrailer> found = SignatureTrailer.find(module);
        if (found.isEmpty() && SignatureTrailer.hasMarker(module)) {
            return new ModuleSignatureStatus(path, State.FAILED, "", "the signature trailer's lengths do not fit in "
                    + "the module (the kernel refuses it: Bad message); sign it again with the kernel's "
                    + "scripts/sign-file");
        }
        if (found.isEmpty()) {
            return new ModuleSignatureStatus(path, State.UNSIGNED, "", "no appended signature");
        }
        SignatureTrailer trailer = found.get();
        if (!trailer.isKernelPkcs7()) {
            return new ModuleSignatureStatus(path, State.FAILED, "", "the signature trailer is not the PKCS#7 "
                    + "form the kernel accepts (id_type " + trailer.idType() + ", other fields zero); sign the "
                    + "module with the kernel's scripts/sign-file");
        }
        byte[] signature = Arrays.copyOfRange(module, trailer.signatureStart(), trailer.signatureEnd());
        byte[] content = Arrays.copyOf(module, trailer.signatureStart());
        SignatureStatus status = certificates.verifyDetachedCms(signature, content);
        if (status.trusted()) {
            return new ModuleSignatureStatus(path, State.VERIFIED, status.signer(), status.detail());
        }
        return new ModuleSignatureStatus(path, State.FAILED, status.signer(),
                status.outcome().name().toLowerCase(Locale.ROOT).replace('_', ' ') + ": " + status.detail());
    }
}
