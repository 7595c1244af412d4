package org.kmodpack.packer;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFileAttributeView;
import java.util.List;
import org.kmodpack.format.Header;
import org.kmodpack.format.IndexRegion;
import org.kmodpack.format.SignatureBlock;
import org.kmodpack.format.Sha256;
import org.kmodpack.format.Statement;
import org.kmodpack.reader.Bundle;

/**
 * Adds signatures to an existing bundle without repacking: signatures cover the statement only, so the
 * signed content is copied as it is and only the header's signature fields and the block change. The new
 * file replaces the old one by an atomic rename; a failure leaves the old one untouched.
 */
public final class BundleSigner {
    private BundleSigner() {
    }

    /**
     * Signs {@code bundle} with each key. An unsigned bundle gets a new statement with {@code terms}; a
     * signed one keeps its statement (other signatures cover it), so terms that differ from it are refused.
     * Returns the statement's serial.
     */
    public static long sign(Path bundle, List<SigningKey> keys, StatementTerms terms) throws IOException {
        if (keys.isEmpty()) {
            throw new IllegalArgumentException("no keys to sign with");
        }
        String name = bundle.toString();
        try (Bundle check = Bundle.open(bundle)) {
            // Refuse to sign what is already damaged: every hash is checked before the signature vouches for it.
            check.verifyBlockHashes();
        }
        try (StagedFile staged = StagedFile.create(bundle)) {
            // The new file keeps the old one's permissions, not its modification time: its bytes changed.
            FileChannel file = staged.channel();
            try (FileChannel original = FileChannel.open(bundle, StandardOpenOption.READ)) {
                for (long at = 0, size = original.size(); at < size; ) {
                    at += file.transferFrom(original.position(at), at, size - at);
                }
            }
            if (Files.getFileStore(bundle).supportsFileAttributeView(PosixFileAttributeView.class)) {
                Files.setPosixFilePermissions(staged.path(), Files.getPosixFilePermissions(bundle));
            }
            byte[] headerBytes = read(file, 0, Header.SIZE);
            Header header = Header.decode(headerBytes, file.size(), name);
            byte[] indexBytes = read(file, header.indexOffset(), (int) header.indexLength());
            IndexRegion index = IndexRegion.decode(ByteBuffer.wrap(indexBytes),
                    Header.SIZE, header.indexOffset(), name);
            SignatureBlock existing = header.signatureLength() == 0 ? null : SignatureBlock.decode(
                    read(file, header.signatureOffset(), (int) header.signatureLength()), name);
            Statement statement = existing != null ? keep(existing.statement(), terms, name)
                    : Statement.describe(headerBytes, index.params(), Sha256.of(indexBytes),
                            header.indexOffset() + header.indexLength(), terms.resolvedSerial(),
                            terms.resolvedExpiry());
            SignatureWriter.write(file, header, SignatureWriter.sign(statement, existing, keys));
            staged.commit();
            try (Bundle reopened = Bundle.open(bundle)) {
                reopened.root();
            }
            return statement.serial();
        }
    }

    private static Statement keep(Statement statement, StatementTerms terms, String name) throws IOException {
        if (terms.serial().isPresent() && terms.serial().getAsLong() != statement.serial()
                || terms.expiresEpochSecond().isPresent()
                        && terms.expiresEpochSecond().getAsLong() != statement.expiresEpochSecond()) {
            throw new IOException(name + ": already signed with serial " + statement.serial()
                    + (statement.expires() ? " and an expiry" : "") + "; further signatures sign the same "
                    + "statement: drop --serial and --expires, or repack to change them");
        }
        return statement;
    }

    private static byte[] read(FileChannel file, long position, int length) throws IOException {
        ByteBuffer out = ByteBuffer.allocate((int) Math.min(length, Math.max(0, file.size() - position)));
        while (out.hasRemaining() && file.read(out, position + out.position()) >= 0) {
            // positional reads until full
        }
        return out.array();
    }

}
