package org.kmodpack.packer;

import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.util.ArrayList;
import java.util.List;
import org.bouncycastle.asn1.ASN1Encoding;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.ASN1Primitive;
import org.bouncycastle.asn1.edec.EdECObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x509.Certificate;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;
import org.bouncycastle.openssl.PEMEncryptedKeyPair;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo;
import org.kmodpack.format.Sha256;
import org.kmodpack.format.SignatureBlock;
import org.kmodpack.reader.SignatureAlgorithms;
import org.kmodpack.reader.SignatureAlgorithms.WeakAlgorithmException;

/**
 * A private key that signs bundle statements: an Ed25519 key (PKCS#8 PEM, from {@code kmodpack keygen} or
 * {@code openssl genpkey -algorithm ed25519}), or an RSA/ECDSA key with its X.509 certificate, such as a
 * kernel build's {@code certs/signing_key.pem} that holds both.
 */
public abstract sealed class SigningKey permits Ed25519Key, CmsKey {
    /** SHA-256 of the signer's SubjectPublicKeyInfo, the id trust stores know it by. */
    abstract byte[] keyId();

    /** Who signs, for messages: the key id or the certificate's subject. */
    public abstract String describe();

    abstract SignatureBlock.Signature sign(byte[] statement) throws IOException;

    /**
     * Loads the key in {@code keyFile}; {@code certFile} (null: a certificate in {@code keyFile}) is needed
     * for RSA and ECDSA keys and refused for Ed25519 keys, which sign without certificates.
     */
    public static SigningKey load(Path keyFile, Path certFile) throws IOException {
        List<Object> objects = readPem(keyFile);
        PrivateKeyInfo privateKey = null;
        X509CertificateHolder certificate = null;
        for (Object object : objects) {
            if (object instanceof PKCS8EncryptedPrivateKeyInfo || object instanceof PEMEncryptedKeyPair) {
                throw new IOException(keyFile + ": the private key is encrypted; write a decrypted copy "
                        + "(openssl pkey -in KEY -out PLAIN.key) to a safe place and sign with that");
            } else if (object instanceof PrivateKeyInfo info) {
                privateKey = info;
            } else if (object instanceof PEMKeyPair pair) {
                privateKey = pair.getPrivateKeyInfo();
            } else if (object instanceof X509CertificateHolder holder && certificate == null) {
                certificate = holder;
            }
        }
        if (privateKey == null) {
            throw new IOException(keyFile + ": holds no private key (PEM 'PRIVATE KEY'); make one with "
                    + "kmodpack keygen");
        }
        if (privateKey.getPrivateKeyAlgorithm().getAlgorithm().equals(EdECObjectIdentifiers.id_Ed25519)) {
            if (certFile != null) {
                throw new IOException(keyFile + ": an Ed25519 key signs without a certificate; drop --cert "
                        + certFile);
            }
            return ed25519(keyFile, privateKey);
        }
        if (certFile != null) {
            certificate = readCertificate(certFile);
        }
        if (certificate == null) {
            throw new IOException(keyFile + ": an RSA or ECDSA key signs with its X.509 certificate; give it "
                    + "with --cert or put it in the key's PEM file (as certs/signing_key.pem has it)");
        }
        String source = certFile != null ? certFile.toString() : keyFile.toString();
        try {
            SignatureAlgorithms.checkKey(certificate.getSubjectPublicKeyInfo());
        } catch (WeakAlgorithmException e) {
            throw new IOException(source + ": " + e.getMessage() + "; make a stronger key", e);
        }
        PrivateKey key = new JcaPEMKeyConverter().getPrivateKey(privateKey);
        return new CmsKey(key, certificate, keyId(certificate.getSubjectPublicKeyInfo()), keyFile.toString());
    }

    private static SigningKey ed25519(Path keyFile, PrivateKeyInfo info) throws IOException {
        byte[] seed = ASN1OctetString.getInstance(info.parsePrivateKey()).getOctets();
        if (seed.length != Ed25519PrivateKeyParameters.KEY_SIZE) {
            throw new IOException(keyFile + ": Ed25519 private key is " + seed.length + " bytes, not 32");
        }
        Ed25519PrivateKeyParameters key = new Ed25519PrivateKeyParameters(seed);
        SubjectPublicKeyInfo publicKey = new SubjectPublicKeyInfo(
                new AlgorithmIdentifier(EdECObjectIdentifiers.id_Ed25519), key.generatePublicKey().getEncoded());
        return new Ed25519Key(key, keyId(publicKey));
    }

    private static List<Object> readPem(Path file) throws IOException {
        String text = new String(Files.readAllBytes(file), StandardCharsets.US_ASCII);
        List<Object> objects = new ArrayList<>();
        try (PEMParser pem = new PEMParser(new StringReader(text))) {
            for (Object object; (object = pem.readObject()) != null; ) {
                objects.add(object);
            }
        } catch (IOException | IllegalArgumentException e) {
            throw new IOException(file + ": not a readable PEM file: " + e.getMessage(), e);
        }
        return objects;
    }

    private static X509CertificateHolder readCertificate(Path file) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        if (new String(bytes, StandardCharsets.US_ASCII).contains("-----BEGIN ")) {
            for (Object object : readPem(file)) {
                if (object instanceof X509CertificateHolder holder) {
                    return holder;
                }
            }
            throw new IOException(file + ": holds no PEM certificate");
        }
        try {
            return new X509CertificateHolder(Certificate.getInstance(ASN1Primitive.fromByteArray(bytes)));
        } catch (IOException | IllegalArgumentException e) {
            throw new IOException(file + ": neither a PEM nor a DER X.509 certificate: " + e.getMessage(), e);
        }
    }

    static byte[] keyId(SubjectPublicKeyInfo info) throws IOException {
        return Sha256.of(info.getEncoded(ASN1Encoding.DER));
    }
}
