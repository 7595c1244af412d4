package org.kmodpack.packer;

import java.io.IOException;
import java.security.PrivateKey;
import java.security.interfaces.ECKey;
import org.bouncycastle.asn1.ASN1Encoding;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cms.CMSException;
import org.bouncycastle.cms.CMSProcessableByteArray;
import org.bouncycastle.cms.CMSSignedData;
import org.bouncycastle.cms.CMSSignedDataGenerator;
import org.bouncycastle.cms.SignerInformation;
import org.bouncycastle.cms.jcajce.JcaSignerInfoGeneratorBuilder;
import org.bouncycastle.cms.jcajce.JcaSimpleSignerInfoVerifierBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.operator.jcajce.JcaDigestCalculatorProviderBuilder;
import org.kmodpack.format.SignatureBlock;
import org.kmodpack.reader.SignatureAlgorithms;

/**
 * Signs with an RSA or ECDSA key and its certificate: a detached CMS SignedData without signed attributes
 * and without certificates, the signer named by issuer and serial, and RSA named rsaEncryption, as the
 * kernel's sign-file does.
 * RSA uses SHA-512 (the kernel's default module hash); ECDSA the hash that matches its curve.
 */
final class CmsKey extends SigningKey {
    private final PrivateKey key;
    private final X509CertificateHolder certificate;
    private final byte[] keyId;
    private final String source;

    CmsKey(PrivateKey key, X509CertificateHolder certificate, byte[] keyId, String source) {
        this.key = key;
        this.certificate = certificate;
        this.keyId = keyId.clone();
        this.source = source;
    }

    @Override
    byte[] keyId() {
        return keyId.clone();
    }

    @Override
    public String describe() {
        return "certificate '" + certificate.getSubject() + "'";
    }

    @Override
    SignatureBlock.Signature sign(byte[] statement) throws IOException {
        try {
            CMSSignedDataGenerator generator = new CMSSignedDataGenerator();
            generator.addSignerInfoGenerator(
                    new JcaSignerInfoGeneratorBuilder(new JcaDigestCalculatorProviderBuilder().build(),
                            // rsaEncryption, as sign-file and openssl write it; readers refuse other spellings.
                            signature -> key instanceof ECKey ? signature : SignatureAlgorithms.CMS_RSA)
                            .setDirectSignature(true)
                            .build(new JcaContentSignerBuilder(algorithm()).build(key), certificate));
            CMSSignedData signed = generator.generate(new CMSProcessableByteArray(statement), false);
            // A key that does not belong to the certificate would make signatures nobody can verify.
            SignerInformation signer = signed.getSignerInfos().getSigners().iterator().next();
            if (!signer.verify(new JcaSimpleSignerInfoVerifierBuilder().build(
                    new org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter().getPublicKey(
                            certificate.getSubjectPublicKeyInfo())))) {
                throw new IOException(source + ": the private key does not match the certificate '"
                        + certificate.getSubject() + "'");
            }
            return new SignatureBlock.Signature(SignatureBlock.KIND_CMS,
                    signed.toASN1Structure().getEncoded(ASN1Encoding.DER));
        } catch (OperatorCreationException | CMSException e) {
            throw new IOException(source + ": cannot sign with this key and certificate: " + e.getMessage(), e);
        }
    }

    private String algorithm() {
        if (key instanceof ECKey ec) {
            return ec.getParams().getOrder().bitLength() > 256 ? "SHA384withECDSA" : "SHA256withECDSA";
        }
        return "SHA512withRSA";
    }
}
