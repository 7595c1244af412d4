package org.kmodpack.packer;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.kmodpack.format.Header;
import org.kmodpack.format.IndexRegion;
import org.kmodpack.format.SignatureBlock;
import org.kmodpack.reader.Bundle;
import org.kmodpack.reader.TrustPolicy;

/** A real bundle's bytes with the regions the tamper tests aim at, and the verdict of a full verify. */
record Tampering(byte[] bytes, Header header, IndexRegion index, SignatureBlock block) {
    static final int SIGNATURE_BLOCK_FIXED = 12;

    static Tampering of(Path bundle) throws IOException {
        byte[] bytes = Files.readAllBytes(bundle);
        Header header = Header.decode(Arrays.copyOf(bytes, Header.SIZE), bytes.length, bundle.toString());
        IndexRegion index = IndexRegion.decode(
                ByteBuffer.wrap(bytes, (int) header.indexOffset(), (int) header.indexLength()),
                Header.SIZE, header.indexOffset(), bundle.toString());
        SignatureBlock block = header.signatureLength() == 0 ? null : SignatureBlock.decode(
                Arrays.copyOfRange(bytes, (int) header.signatureOffset(), bytes.length), bundle.toString());
        return new Tampering(bytes, header, index, block);
    }

    long signedLength() {
        return header.indexOffset() + header.indexLength();
    }

    /** [start, end) of each index section body, as absolute file offsets. */
    List<long[]> indexSections() {
        ByteBuffer in = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        int base = (int) header.indexOffset();
        int count = in.getInt(base + 4);
        List<long[]> sections = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            int at = base + 8 + 24 * i;
            long offset = base + in.getLong(at + 8);
            sections.add(new long[] {offset, offset + in.getLong(at + 16)});
        }
        return sections;
    }

    /** [start, end) of the statement inside the signature block. */
    long[] statement() {
        long start = header.signatureOffset() + SIGNATURE_BLOCK_FIXED;
        return new long[] {start, start + block.statementBytes().length};
    }

    byte[] flipped(long offset, int bit) {
        byte[] copy = bytes.clone();
        copy[(int) offset] ^= (byte) (1 << bit);
        return copy;
    }

    /** The signed content with {@code replacement} as its signature block and a header that points at it. */
    byte[] withBlock(SignatureBlock replacement) {
        byte[] encoded = replacement == null ? new byte[0] : replacement.encode();
        long signed = signedLength();
        Header newHeader = new Header(header.majorVersion(), header.minorVersion(), signed + encoded.length,
                header.indexOffset(), header.indexLength(), header.indexSha256(), encoded.length == 0 ? 0 : signed,
                encoded.length);
        byte[] out = Arrays.copyOf(bytes, (int) signed + encoded.length);
        System.arraycopy(newHeader.encode(), 0, out, 0, Header.SIZE);
        System.arraycopy(encoded, 0, out, (int) signed, encoded.length);
        return out;
    }

    /**
     * What {@code kmodpack verify} does: open under the policy, then every block hash. True when refused
     * with an IOException; any other exception fails the test, as a reader must never crash on input.
     */
    static boolean refused(Path file, TrustPolicy policy) {
        return refusal(file, policy).isPresent();
    }

    /** As {@link #refused}, with the refusal's message (what {@code kmodpack verify} prints), if refused. */
    static Optional<String> refusal(Path file, TrustPolicy policy) {
        try (Bundle bundle = Bundle.open(file, policy)) {
            bundle.verifyBlockHashes();
            return Optional.empty();
        } catch (IOException e) {
            return Optional.of(String.valueOf(e.getMessage()));
        } catch (RuntimeException e) {
            fail(file + ": a reader must refuse with an IOException, not " + e, e);
            return Optional.empty();
        }
    }
}
