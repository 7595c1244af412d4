package org.kmodpack.packer;

import java.util.HexFormat;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;
import org.bouncycastle.crypto.signers.Ed25519Signer;
import org.kmodpack.format.SignatureBlock;

/** Signs with Ed25519: the signature block entry is the key id followed by the 64-byte signature. */
final class Ed25519Key extends SigningKey {
    private final Ed25519PrivateKeyParameters key;
    private final byte[] keyId;

    Ed25519Key(Ed25519PrivateKeyParameters key, byte[] keyId) {
        this.key = key;
        this.keyId = keyId.clone();
    }

    @Override
    byte[] keyId() {
        return keyId.clone();
    }

    @Override
    public String describe() {
        return "ed25519 key " + HexFormat.of().formatHex(keyId, 0, 8);
    }

    @Override
    SignatureBlock.Signature sign(byte[] statement) {
        Ed25519Signer signer = new Ed25519Signer();
        signer.init(true, key);
        signer.update(statement, 0, statement.length);
        byte[] signature = signer.generateSignature();
        byte[] body = new byte[keyId.length + signature.length];
        System.arraycopy(keyId, 0, body, 0, keyId.length);
        System.arraycopy(signature, 0, body, keyId.length, signature.length);
        return new SignatureBlock.Signature(SignatureBlock.KIND_ED25519, body);
    }
}
