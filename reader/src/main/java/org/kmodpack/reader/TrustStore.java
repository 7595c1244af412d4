package org.kmodpack.reader;

import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.bouncycastle.asn1.ASN1Encoding;
import org.bouncycastle.asn1.ASN1Primitive;
import org.bouncycastle.asn1.ASN1Sequence;
import org.bouncycastle.asn1.x509.Certificate;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.kmodpack.format.Sha256;

/**
 * Loads trust anchors from files and directories: PEM public keys and certificates (several per file, a
 * kernel's signing_key.pem included: its private key is skipped), or one DER certificate (signing_key.x509)
 * or DER public key per file. A file that yields nothing is an error, not silently no trust.
 */
final class TrustStore {
    private TrustStore() {
    }

    static List<TrustAnchor> load(List<Path> paths) throws IOException {
        List<TrustAnchor> anchors = new ArrayList<>();
        for (Path path : paths) {
            if (Files.isDirectory(path)) {
                List<Path> files;
                try (Stream<Path> listing = Files.list(path)) {
                    files = listing.filter(Files::isRegularFile).sorted().toList();
                }
                if (files.isEmpty()) {
                    throw new IOException(path + ": trust directory holds no keys or certificates");
                }
                for (Path file : files) {
                    anchors.addAll(loadFile(file));
                }
            } else if (Files.exists(path)) {
                anchors.addAll(loadFile(path));
            } else {
                throw new NoSuchFileException(path.toString(), null, "no such trust file or directory");
            }
        }
        return anchors;
    }

    private static List<TrustAnchor> loadFile(Path file) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        String text = new String(bytes, StandardCharsets.US_ASCII);
        List<TrustAnchor> anchors = new ArrayList<>();
        if (text.contains("-----BEGIN ")) {
            try (PEMParser pem = new PEMParser(new StringReader(text))) {
                for (Object object; (object = pem.readObject()) != null; ) {
                    if (object instanceof X509CertificateHolder certificate) {
                        anchors.add(anchor(certificate.getSubjectPublicKeyInfo(), certificate, file));
                    } else if (object instanceof SubjectPublicKeyInfo key) {
                        anchors.add(anchor(key, null, file));
                    }
                    // Anything else (the private key of a signing_key.pem, EC PARAMETERS) has nothing to trust.
                }
            } catch (IOException | IllegalArgumentException e) {
                throw new IOException(file + ": not a readable PEM file of public keys or certificates: "
                        + e.getMessage(), e);
            }
        } else {
            anchors.add(derAnchor(bytes, file));
        }
        if (anchors.isEmpty()) {
            throw new IOException(file + ": holds no public key or certificate to trust");
        }
        return anchors;
    }

    private static TrustAnchor derAnchor(byte[] bytes, Path file) throws IOException {
        try {
            ASN1Sequence sequence = ASN1Sequence.getInstance(ASN1Primitive.fromByteArray(bytes));
            // A certificate's first element is a sequence (TBSCertificate); a public key's is an algorithm id.
            if (sequence.size() == 3) {
                X509CertificateHolder certificate = new X509CertificateHolder(Certificate.getInstance(sequence));
                return anchor(certificate.getSubjectPublicKeyInfo(), certificate, file);
            }
            return anchor(SubjectPublicKeyInfo.getInstance(sequence), null, file);
        } catch (IOException | IllegalArgumentException e) {
            throw new IOException(file + ": neither PEM nor a DER certificate or public key: " + e.getMessage(), e);
        }
    }

    private static TrustAnchor anchor(SubjectPublicKeyInfo info, X509CertificateHolder certificate, Path file)
            throws IOException {
        PublicKey key = new JcaPEMKeyConverter().getPublicKey(info);
        return new TrustAnchor(key, keyId(info), certificate, file.toString());
    }

    static byte[] keyId(SubjectPublicKeyInfo info) throws IOException {
        return Sha256.of(info.getEncoded(ASN1Encoding.DER));
    }
}
