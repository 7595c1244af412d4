package org.kmodpack.reader;

import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.Arrays;
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
 * or DER public key per file. Fails closed: a file that yields nothing, or that is empty, truncated or
 * garbage, is an error naming it, also inside a directory, where skipping it would silently drop a key the
 * administrator meant to trust and leave a refusal nobody can explain.
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
                    try {
                        anchors.addAll(loadFile(file));
                    } catch (UnusableTrustFile e) {
                        throw new IOException(e.getMessage() + " (every file of trust directory " + path
                                + " must hold keys or certificates: move other files out of it)", e);
                    }
                }
            } else if (Files.exists(path)) {
                anchors.addAll(loadFile(path));
            } else {
                throw new NoSuchFileException(path.toString(), null, "no such trust file or directory");
            }
        }
        return anchors;
    }

    /** A trust file that holds nothing to trust, with what it holds instead. */
    private static final class UnusableTrustFile extends IOException {
        UnusableTrustFile(Path file, String what, Throwable cause) {
            super(file + ": " + what + "; a trust file holds PEM public keys or certificates, or one DER certificate "
                    + "or public key: replace it with one, or remove it", cause);
        }
    }

    private static List<TrustAnchor> loadFile(Path file) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        if (bytes.length == 0) {
            throw new UnusableTrustFile(file, "empty file (0 bytes)", null);
        }
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
            } catch (IOException | RuntimeException e) {
                throw new UnusableTrustFile(file, "damaged PEM (" + reason(e) + ")", e);
            }
        } else {
            anchors.add(derAnchor(bytes, file));
        }
        if (anchors.isEmpty()) {
            throw new UnusableTrustFile(file, "PEM without a public key or certificate", null);
        }
        return anchors;
    }

    private static TrustAnchor derAnchor(byte[] bytes, Path file) throws IOException {
        ASN1Primitive primitive;
        try {
            primitive = ASN1Primitive.fromByteArray(bytes);
        } catch (IOException | RuntimeException e) {
            // The decoder's own words (lengths out of bounds) say nothing to whoever chose the file.
            throw new UnusableTrustFile(file, bytes.length > 0 && (bytes[0] & 0xFF) == 0x30
                    ? "DER cut short or damaged" : "neither PEM nor DER", e);
        }
        if (!(primitive instanceof ASN1Sequence sequence)) {
            throw new UnusableTrustFile(file, "neither PEM nor a DER sequence", null);
        }
        if (!Arrays.equals(primitive.getEncoded(ASN1Encoding.DER), bytes)) {
            // Certificates and keys are DER; BER's indefinite or padded lengths mean a file made by something else.
            throw new UnusableTrustFile(file, "BER, not DER (indefinite or non-minimal lengths)", null);
        }
        try {
            // A certificate's first element is a sequence (TBSCertificate); a public key's is an algorithm id.
            if (sequence.size() == 3) {
                X509CertificateHolder certificate = new X509CertificateHolder(Certificate.getInstance(sequence));
                return anchor(certificate.getSubjectPublicKeyInfo(), certificate, file);
            }
            return anchor(SubjectPublicKeyInfo.getInstance(sequence), null, file);
        } catch (IOException | RuntimeException e) {
            throw new UnusableTrustFile(file, "DER, but neither a certificate nor a public key (" + reason(e) + ")", e);
        }
    }

    private static String reason(Exception e) {
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
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
