package org.kmodpack.reader;

import java.io.IOException;
import java.time.Instant;
import java.util.Arrays;
import java.util.Collection;
import java.util.Date;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import org.bouncycastle.asn1.ASN1Encoding;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.ASN1Primitive;
import org.bouncycastle.asn1.cms.CMSObjectIdentifiers;
import org.bouncycastle.asn1.cms.ContentInfo;
import org.bouncycastle.asn1.cms.SignedData;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cms.CMSException;
import org.bouncycastle.cms.CMSProcessableByteArray;
import org.bouncycastle.cms.CMSSignedData;
import org.bouncycastle.cms.SignerId;
import org.bouncycastle.cms.SignerInformation;
import org.bouncycastle.cms.jcajce.JcaSimpleSignerInfoVerifierBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.kmodpack.reader.SignatureAlgorithms.WeakAlgorithmException;
import org.kmodpack.reader.SignatureStatus.Outcome;

/**
 * Kind 2: a DER CMS (PKCS#7) SignedData over the statement, detached, with one SignerInfo: what the kernel's
 * sign-file makes for modules. Certificates carried inside are ignored: the signer is looked up by issuer
 * and serial (or subject key id) among the trusted certificates only.
 */
final class CmsVerifier {
    private CmsVerifier() {
    }

    static SignatureStatus verify(int number, byte[] body, byte[] statement, List<TrustAnchor> anchors,
            boolean checkValidity, Instant now) {
        try {
            return check(number, body, statement, anchors, checkValidity, now);
        } catch (RuntimeException e) {
            // Bouncy Castle parses lazily: a damaged name or field can surface anywhere, e.g. while printing it.
            return new SignatureStatus(number, "cms", "?", Outcome.MALFORMED, "cannot be processed: " + e, "", "");
        }
    }

    private static SignatureStatus check(int number, byte[] body, byte[] statement, List<TrustAnchor> anchors,
            boolean checkValidity, Instant now) {
        SignerInformation signerInfo;
        try {
            signerInfo = parse(body, statement);
        } catch (IOException | CMSException | IllegalArgumentException | IllegalStateException e) {
            return new SignatureStatus(number, "cms", "?", Outcome.MALFORMED, "does not parse as a detached CMS "
                    + "SignedData with one signer: " + e.getMessage(), "", "");
        }
        SignerId id = signerInfo.getSID();
        String signer = id.getIssuer() != null
                ? "issuer '" + id.getIssuer() + "' serial 0x" + id.getSerialNumber().toString(16)
                : "subject key id " + HexFormat.of().formatHex(id.getSubjectKeyIdentifier());
        Optional<String> digest = SignatureAlgorithms.digest(signerInfo.getDigestAlgorithmID().getAlgorithm());
        if (digest.isEmpty()) {
            return new SignatureStatus(number, "cms", signer, Outcome.REFUSED_ALGORITHM, "digest "
                    + SignatureAlgorithms.name(signerInfo.getDigestAlgorithmID().getAlgorithm()) + " is refused",
                    "", "");
        }
        ASN1ObjectIdentifier algorithm = signerInfo.toASN1Structure().getDigestEncryptionAlgorithm().getAlgorithm();
        if (SignatureAlgorithms.cmsSignature(algorithm).isEmpty()) {
            return new SignatureStatus(number, "cms", signer, Outcome.REFUSED_ALGORITHM, "signature algorithm "
                    + SignatureAlgorithms.name(algorithm) + " is refused", "", "");
        }
        String kind = "cms " + digest.get();
        SignatureStatus last = new SignatureStatus(number, kind, signer, Outcome.UNTRUSTED_SIGNER,
                "no trusted certificate has this issuer and serial", "", "");
        for (TrustAnchor anchor : anchors) {
            X509CertificateHolder certificate = anchor.certificate();
            if (certificate == null || !id.match(certificate)) {
                continue;
            }
            String hexId = HexFormat.of().formatHex(anchor.keyId());
            String keyName;
            try {
                keyName = SignatureAlgorithms.checkKey(certificate.getSubjectPublicKeyInfo());
            } catch (WeakAlgorithmException e) {
                last = new SignatureStatus(number, kind, signer, Outcome.REFUSED_ALGORITHM, e.getMessage(), "", hexId);
                continue;
            }
            if (checkValidity && !certificate.isValidOn(Date.from(now))) {
                last = new SignatureStatus(number, kind, signer, Outcome.CERTIFICATE_NOT_VALID, "the trusted "
                        + "certificate is valid from " + certificate.getNotBefore().toInstant() + " to "
                        + certificate.getNotAfter().toInstant() + ", not now", "", hexId);
                continue;
            }
            if (verifies(signerInfo, anchor)) {
                return new SignatureStatus(number, kind + " " + keyName, signer, Outcome.TRUSTED, "verifies",
                        anchor.describe(), hexId);
            }
            last = new SignatureStatus(number, kind + " " + keyName, signer, Outcome.BAD_SIGNATURE,
                    "does not verify with the trusted certificate of that issuer and serial", "", hexId);
        }
        return last;
    }

    private static SignerInformation parse(byte[] body, byte[] statement) throws IOException, CMSException {
        // fromByteArray refuses trailing bytes: the DER must end exactly where the signature does.
        ContentInfo contentInfo = ContentInfo.getInstance(ASN1Primitive.fromByteArray(body));
        if (!CMSObjectIdentifiers.signedData.equals(contentInfo.getContentType())) {
            throw new CMSException("content type " + contentInfo.getContentType() + " is not SignedData");
        }
        SignedData signedData = SignedData.getInstance(contentInfo.getContent());
        if (signedData.getEncapContentInfo().getContent() != null
                || !CMSObjectIdentifiers.data.equals(signedData.getEncapContentInfo().getContentType())) {
            throw new CMSException("the SignedData is not detached data");
        }
        // DER only, so that the bytes have one reading: nothing can be re-encoded or hidden in BER slack.
        if (!Arrays.equals(contentInfo.getEncoded(ASN1Encoding.DER), body)) {
            throw new CMSException("not DER-encoded");
        }
        CMSSignedData signed = new CMSSignedData(new CMSProcessableByteArray(statement), contentInfo);
        Collection<SignerInformation> signers = signed.getSignerInfos().getSigners();
        if (signers.size() != 1) {
            throw new CMSException(signers.size() + " SignerInfos");
        }
        SignerInformation signer = signers.iterator().next();
        if (signedData.getDigestAlgorithms().size() != 1 || !AlgorithmIdentifier.getInstance(
                signedData.getDigestAlgorithms().getObjectAt(0)).getAlgorithm().equals(signer.getDigestAlgorithmID()
                .getAlgorithm())) {
            throw new CMSException("the SignedData's digest algorithms are not exactly its signer's");
        }
        return signer;
    }

    private static boolean verifies(SignerInformation signerInfo, TrustAnchor anchor) {
        try {
            // Built from the bare key: certificate dates are the policy's business, not Bouncy Castle's.
            return signerInfo.verify(new JcaSimpleSignerInfoVerifierBuilder().build(anchor.key()));
        } catch (CMSException | OperatorCreationException | RuntimeException e) {
            return false;
        }
    }
}
