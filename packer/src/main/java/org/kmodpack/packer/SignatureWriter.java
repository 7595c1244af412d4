package org.kmodpack.packer;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.List;
import org.kmodpack.format.Header;
import org.kmodpack.format.SignatureBlock;
import org.kmodpack.format.Statement;

/**
 * Puts a signature block after the signed content of an open bundle file and points the header at it:
 * the one place where both the packer and {@link BundleSigner} change a bundle's signatures.
 */
final class SignatureWriter {
    private SignatureWriter() {
    }

    /** {@code existing} (or null) plus one signature of its statement by each key. */
    static SignatureBlock sign(Statement statement, SignatureBlock existing, List<SigningKey> keys)
            throws IOException {
        SignatureBlock block = existing;
        byte[] statementBytes = existing != null ? existing.statementBytes() : statement.encode();
        for (SigningKey key : keys) {
            SignatureBlock.Signature signature = key.sign(statementBytes);
            block = block == null ? SignatureBlock.of(statement, List.of(signature)) : block.with(signature);
        }
        return block;
    }

    /** Writes {@code block} at the end of the signed content, truncates what followed, rewrites the header. */
    static void write(FileChannel out, Header unsigned, SignatureBlock block) throws IOException {
        byte[] bytes = block.encode();
        long signedLength = unsigned.indexOffset() + unsigned.indexLength();
        Header signed = new Header(unsigned.majorVersion(), unsigned.minorVersion(), signedLength + bytes.length,
                unsigned.indexOffset(), unsigned.indexLength(), unsigned.indexSha256(), signedLength, bytes.length);
        out.truncate(signedLength);
        writeFully(out, ByteBuffer.wrap(bytes), signedLength);
        writeFully(out, ByteBuffer.wrap(signed.encode()), 0);
    }

    private static void writeFully(FileChannel out, ByteBuffer bytes, long position) throws IOException {
        long at = position;
        while (bytes.hasRemaining()) {
            at += out.write(bytes, at);
        }
    }
}
