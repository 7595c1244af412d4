package org.kmodpack.packer;

import java.io.IOException;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.HexFormat;
import org.bouncycastle.asn1.ASN1Encoding;
import org.bouncycastle.asn1.DEROctetString;
import org.bouncycastle.asn1.edec.EdECObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;
import org.bouncycastle.util.io.pem.PemObject;
import org.bouncycastle.util.io.pem.PemWriter;

/**
 * Makes an Ed25519 key pair as two PEM files openssl reads: PREFIX.key (PKCS#8, created with mode 0600 so
 * it is never readable by others, not even briefly) and PREFIX.pub (SubjectPublicKeyInfo).
 */
public final class KeyGenerator {
    /** What was written, and the key id verify prints for it. */
    public record KeyFiles(Path privateKey, Path publicKey, String keyId) {
    }

    private KeyGenerator() {
    }

    public static KeyFiles generate(Path prefix) throws IOException {
        Path keyFile = Path.of(prefix + ".key");
        Path pubFile = Path.of(prefix + ".pub");
        for (Path file : new Path[] {keyFile, pubFile}) {
            if (Files.exists(file)) {
                throw new FileAlreadyExistsException(file.toString(), null,
                        "already exists; kmodpack never overwrites a key: choose another prefix");
            }
        }
        Ed25519PrivateKeyParameters key = new Ed25519PrivateKeyParameters(new SecureRandom());
        AlgorithmIdentifier ed25519 = new AlgorithmIdentifier(EdECObjectIdentifiers.id_Ed25519);
        byte[] pkcs8 = new PrivateKeyInfo(ed25519, new DEROctetString(key.getEncoded())).getEncoded(ASN1Encoding.DER);
        SubjectPublicKeyInfo spki = new SubjectPublicKeyInfo(ed25519, key.generatePublicKey().getEncoded());
        Files.createFile(keyFile, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        try {
            Files.writeString(keyFile, pem("PRIVATE KEY", pkcs8), StandardCharsets.US_ASCII,
                    StandardOpenOption.TRUNCATE_EXISTING);
            Files.writeString(pubFile, pem("PUBLIC KEY", spki.getEncoded(ASN1Encoding.DER)), StandardCharsets.US_ASCII,
                    StandardOpenOption.CREATE_NEW);
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(keyFile);
            throw e;
        }
        return new KeyFiles(keyFile, pubFile, HexFormat.of().formatHex(SigningKey.keyId(spki)));
    }

    private static String pem(String type, byte[] der) throws IOException {
        StringWriter text = new StringWriter();
        try (PemWriter writer = new PemWriter(text)) {
            writer.writeObject(new PemObject(type, der));
        }
        return text.toString();
    }
}
