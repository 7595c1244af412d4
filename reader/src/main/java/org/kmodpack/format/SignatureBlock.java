package org.kmodpack.format;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * The signature block that ends a signed bundle: the statement, then one or more signatures of it. It
 * parses exactly to its end, so nothing can hide in it; each signature carries its kind and length, so a
 * reader skips (and reports) a kind it does not know without guessing where the next one starts.
 */
public record SignatureBlock(byte[] statementBytes, Statement statement, List<Signature> signatures) {
    public static final int KIND_ED25519 = 1;
    public static final int KIND_CMS = 2;
    /** A bigger block is refused before it is read: a hostile header cannot make a reader allocate more. */
    public static final int MAX_LENGTH = 1 << 20;
    public static final int MAX_SIGNATURES = 64;
    private static final int MAGIC = 0x4753504B; // "KPSG" read as a little-endian u32
    private static final int VERSION = 1;
    // The block (spec/FORMAT.md section 13.4): magic, version, count, statement length, the statement, then
    // each signature as kind, flags, length and body. All integers little-endian.
    private static final int MAGIC_AT = 0;
    private static final int VERSION_AT = 4;
    private static final int COUNT_AT = 6;
    private static final int STATEMENT_LENGTH_AT = 8;
    private static final int FIXED_SIZE = 12;
    private static final int SIGNATURE_KIND_AT = 0;
    private static final int SIGNATURE_FLAGS_AT = 2;
    private static final int SIGNATURE_LENGTH_AT = 4;
    private static final int SIGNATURE_HEADER_SIZE = 8;

    /** One signature of the statement: its kind and its bytes, which the kind defines. */
    public record Signature(int kind, byte[] body) {
        public Signature {
            body = body.clone();
        }

        @Override
        public byte[] body() {
            return body.clone();
        }
    }

    public SignatureBlock {
        statementBytes = statementBytes.clone();
        signatures = List.copyOf(signatures);
    }

    @Override
    public byte[] statementBytes() {
        return statementBytes.clone();
    }

    public static SignatureBlock of(Statement statement, List<Signature> signatures) {
        return new SignatureBlock(statement.encode(), statement, signatures);
    }

    public SignatureBlock with(Signature added) {
        List<Signature> all = new ArrayList<>(signatures);
        all.add(added);
        return new SignatureBlock(statementBytes, statement, all);
    }

    public byte[] encode() {
        int length = FIXED_SIZE + statementBytes.length;
        for (Signature s : signatures) {
            length += SIGNATURE_HEADER_SIZE + s.body.length;
        }
        if (signatures.isEmpty() || signatures.size() > MAX_SIGNATURES || length > MAX_LENGTH) {
            throw new IllegalArgumentException(signatures.size() + " signatures in " + length
                    + " bytes: a block holds 1 to " + MAX_SIGNATURES + " signatures in at most " + MAX_LENGTH);
        }
        ByteBuffer out = ByteBuffer.allocate(length).order(ByteOrder.LITTLE_ENDIAN);
        out.putInt(MAGIC).putShort((short) VERSION).putShort((short) signatures.size());
        out.putInt(statementBytes.length).put(statementBytes);
        for (Signature s : signatures) {
            out.putShort((short) s.kind).putShort((short) 0).putInt(s.body.length).put(s.body);
        }
        return out.array();
    }

    /** Parses a whole signature block; every byte must belong to the statement or to a signature. */
    public static SignatureBlock decode(byte[] bytes, String bundle) throws CorruptBundleException {
        ByteBuffer in = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        if (bytes.length < FIXED_SIZE || in.getInt(MAGIC_AT) != MAGIC) {
            throw new CorruptBundleException(bundle, "the signature block does not start with its magic number");
        }
        int version = Short.toUnsignedInt(in.getShort(VERSION_AT));
        if (version != VERSION) {
            throw new UnsupportedBundleException(bundle, "signature block version " + version);
        }
        int count = Short.toUnsignedInt(in.getShort(COUNT_AT));
        long statementLength = Integer.toUnsignedLong(in.getInt(STATEMENT_LENGTH_AT));
        if (count == 0 || count > MAX_SIGNATURES || statementLength > bytes.length - FIXED_SIZE) {
            throw new CorruptBundleException(bundle, "the signature block announces " + count
                    + " signatures and a " + statementLength + "-byte statement, which do not fit its "
                    + bytes.length + " bytes");
        }
        byte[] statementBytes = new byte[(int) statementLength];
        in.get(FIXED_SIZE, statementBytes);
        Statement statement = Statement.decode(statementBytes, bundle);
        List<Signature> signatures = new ArrayList<>(count);
        int at = FIXED_SIZE + statementBytes.length;
        for (int i = 0; i < count; i++) {
            if (bytes.length - at < SIGNATURE_HEADER_SIZE) {
                throw new CorruptBundleException(bundle, "the signature block ends inside signature " + (i + 1));
            }
            int kind = Short.toUnsignedInt(in.getShort(at + SIGNATURE_KIND_AT));
            int flags = Short.toUnsignedInt(in.getShort(at + SIGNATURE_FLAGS_AT));
            long length = Integer.toUnsignedLong(in.getInt(at + SIGNATURE_LENGTH_AT));
            if (flags != 0 || length == 0 || length > bytes.length - at - SIGNATURE_HEADER_SIZE) {
                throw new CorruptBundleException(bundle, "signature " + (i + 1) + " (kind " + kind + ", flags "
                        + flags + ", " + length + " bytes) does not fit the signature block");
            }
            byte[] body = new byte[(int) length];
            in.get(at + SIGNATURE_HEADER_SIZE, body);
            signatures.add(new Signature(kind, body));
            at += SIGNATURE_HEADER_SIZE + (int) length;
        }
        if (at != bytes.length) {
            throw new CorruptBundleException(bundle, (bytes.length - at)
                    + " bytes after the last signature belong to nothing");
        }
        return new SignatureBlock(statementBytes, statement, signatures);
    }
}
