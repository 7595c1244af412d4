package org.kmodpack.reader;

import java.io.IOException;
import java.time.Instant;
import java.util.Arrays;
import java.util.Collection;
import java.util.Date;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.bouncycastle.asn1.ASN1Encoding;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.ASN1Primitive;
import org.bouncycastle.asn1.cms.CMSObjectIdentifiers;
import org.bouncycastle.asn1.cms.ContentInfo;
import org.bouncycastle.asn1.cms.IssuerAndSerialNumber;
import org.bouncycastle.asn1.cms.SignedData;
import org.bouncycastle.asn1.cms.SignerIdentifier;
import org.bouncycastle.asn1.x509.Certificate;
import org.bouncycastle.asn1.x509.SubjectKeyIdentifier;
import org.bouncycastle.asn1.ASN1OctetString;
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
 * Kind 2: a DER CMS (PKCS#7) SignedData over the statement, detached, with one SignerInfo and no
 * certificates: what the kernel's sign-file makes for modules. The signer is looked up by issuer and serial
 * (or subject key id) among the trusted certificates only. Every field that the signature does not cover has
 * one allowed spelling, so no byte of the signature can change while it still verifies.
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
        AlgorithmIdentifier digestId = signerInfo.getDigestAlgorithmID();
        Optional<String> digest = SignatureAlgorithms.digest(digestId);
        if (digest.isEmpty()) {
            return new SignatureStatus(number, "cms", signer, Outcome.REFUSED_ALGORITHM, "digest "
                    + SignatureAlgorithms.name(digestId.getAlgorithm()) + " is refused (SHA-256, SHA-384 or SHA-512 "
                    + "only, without parameters)", "", "");
        }
        AlgorithmIdentifier signatureId = signerInfo.toASN1Structure().getDigestEncryptionAlgorithm();
        if (SignatureAlgorithms.cmsSignature(signatureId, digestId).isEmpty()) {
            return new SignatureStatus(number, "cms", signer, Outcome.REFUSED_ALGORITHM, "signature algorithm "
                    + SignatureAlgorithms.name(signatureId.getAlgorithm()) + " is refused (rsaEncryption, or "
                    + "ecdsa-with-" + digest.get().toUpperCase(Locale.ROOT) + " for this digest)", "", "");
        }
        String kind = "cms " + digest.get();
        SignatureStatus last = new SignatureStatus(number, kind, signer, Outcome.UNTRUSTED_SIGNER,
                "no trusted certificate has this issuer and serial", "", "");
        for (TrustAnchor anchor : anchors) {
            X509CertificateHolder certificate = anchor.certificate();
            if (certificate == null || !namesExactly(signerInfo, certificate)) {
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
        // Certificates are never trusted for being carried, and unsigned data has no use: refusing them leaves
        // no room in a signature for bytes that nothing checks.
        if (signedData.getCertificates() != null || signedData.getCRLs() != null) {
            throw new CMSException("carries certificates or CRLs; sign without them (openssl cms -nocerts, as "
                    + "the kernel's sign-file does): only certificates given to the verifier are trusted");
        }
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
        if (signer.getUnsignedAttributes() != null) {
            throw new CMSException("the SignerInfo has unsigned attributes");
        }
        // Versions as RFC 5652 fixes them for this shape; any other value would be an unsigned spare byte.
        int signerVersion = signer.toASN1Structure().getSID().isTagged() ? 3 : 1;
        if (signer.getVersion() != signerVersion || signedData.getVersion().intValueExact() != signerVersion) {
            throw new CMSException("SignedData version " + signedData.getVersion() + " and SignerInfo version "
                    + signer.getVersion() + " are not the " + signerVersion + " RFC 5652 requires here");
        }
        if (signedData.getDigestAlgorithms().size() != 1 || !AlgorithmIdentifier.getInstance(
                signedData.getDigestAlgorithms().getObjectAt(0)).getAlgorithm().equals(signer.getDigestAlgorithmID()
                .getAlgorithm())) {
            throw new CMSException("the SignedData's digest algorithms are not exactly its signer's");
        }
        return signer;
    }

    /**
     * Whether the SignerInfo names this certificate byte for byte: the issuer's DER encoding and the serial,
     * or the subject key identifier. Bouncy Castle's own match compares names loosely (string types and case
     * fold), which would let the unsigned signer identifier be re-spelled in a signature that still verifies.
     */
    private static boolean namesExactly(SignerInformation signerInfo, X509CertificateHolder certificate) {
        SignerIdentifier sid = signerInfo.toASN1Structure().getSID();
        if (sid.isTagged()) {
            SubjectKeyIdentifier ski = SubjectKeyIdentifier.fromExtensions(certificate.getExtensions());
            return ski != null && Arrays.equals(ASN1OctetString.getInstance(sid.getId()).getOctets(),
                    ski.getKeyIdentifier());
        }
        IssuerAndSerialNumber named = IssuerAndSerialNumber.getInstance(sid.getId());
        Certificate cert = certificate.toASN1Structure();
        try {
            return Arrays.equals(named.getName().getEncoded(ASN1Encoding.DER),
                    cert.getIssuer().getEncoded(ASN1Encoding.DER)) && named.getSerialNumber().equals(cert.getSerialNumber());
        } catch (IOException e) {
            return false; // a name that cannot be encoded names nobody
        }
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
