package org.kmodpack.format;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * Edits bundle bytes the way an attacker who controls every byte would, written from spec/FORMAT.md
 * alone (it shares no code with the reader): locating fields, re-encoding the index region with other
 * sections, and re-sealing. Re-sealing recomputes the index SHA-256 in the header and then the header
 * CRC-32C, so that a patched bundle gets past the integrity checks and reaches the checks behind them.
 */
public final class Forge {
    public static final int HEADER_SIZE = 128;
    public static final int PARAMS = 1;
    public static final int BLOCKS = 2;
    public static final int ENTRIES = 3;
    public static final int NAMES = 4;
    public static final int REQUIRED = 1;

    private Forge() {
    }

    /** One section of an index region, as the section table describes it. */
    public record Section(int type, int flags, byte[] body) {
    }

    public static ByteBuffer le(byte[] bytes) {
        return ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    }

    public static long indexOffset(byte[] bundle) {
        return le(bundle).getLong(24);
    }

    public static long indexLength(byte[] bundle) {
        return le(bundle).getLong(32);
    }

    /** Recomputes the index SHA-256 (header bytes 40..71), then the header CRC-32C (bytes 124..127). */
    public static byte[] reseal(byte[] bundle) {
        byte[] out = bundle.clone();
        int offset = (int) indexOffset(out);
        int length = (int) indexLength(out);
        if (offset >= HEADER_SIZE && length > 0 && (long) offset + length <= out.length) {
            System.arraycopy(sha256(Arrays.copyOfRange(out, offset, offset + length)), 0, out, 40, 32);
        }
        return resealHeader(out);
    }

    /** A copy of {@code bytes} with the u32 at {@code at} set to {@code value}. */
    public static byte[] withInt(byte[] bytes, int at, int value) {
        byte[] copy = bytes.clone();
        le(copy).putInt(at, value);
        return copy;
    }

    /** Recomputes only the header CRC-32C, for edits of the header itself. */
    public static byte[] resealHeader(byte[] bundle) {
        byte[] out = bundle.clone();
        CRC32C crc = new CRC32C();
        crc.update(out, 0, 124);
        le(out).putInt(124, (int) crc.getValue());
        return out;
    }

    /** The sections of the bundle's index, in table order. */
    public static List<Section> sections(byte[] bundle) {
        int index = (int) indexOffset(bundle);
        ByteBuffer in = le(bundle);
        int count = in.getInt(index + 4);
        List<Section> sections = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            int at = index + 8 + 24 * i;
            int offset = (int) in.getLong(at + 8);
            int length = (int) in.getLong(at + 16);
            sections.add(new Section(in.getInt(at), in.getInt(at + 4),
                    Arrays.copyOfRange(bundle, index + offset, index + offset + length)));
        }
        return sections;
    }

    /** The file offset of the body of the section of {@code type}. */
    public static int sectionStart(byte[] bundle, int type) {
        int index = (int) indexOffset(bundle);
        ByteBuffer in = le(bundle);
        for (int i = 0; i < in.getInt(index + 4); i++) {
            int at = index + 8 + 24 * i;
            if (in.getInt(at) == type) {
                return index + (int) in.getLong(at + 8);
            }
        }
        throw new IllegalArgumentException("no section of type " + type);
    }

    /** The file offset of ENTRIES row {@code i}. */
    public static int entry(byte[] bundle, int i) {
        return sectionStart(bundle, ENTRIES) + 64 * i;
    }

    /** The file offset of BLOCKS row {@code i}. */
    public static int block(byte[] bundle, int i) {
        return sectionStart(bundle, BLOCKS) + 48 * i;
    }

    /** Lays out an index region by the spec's layout rule: sections back to back, 8-aligned, zero padded. */
    public static byte[] encodeIndex(List<Section> sections) {
        long[] offsets = new long[sections.size()];
        long at = align8(8 + 24L * sections.size());
        for (int i = 0; i < sections.size(); i++) {
            offsets[i] = at;
            at += sections.get(i).body().length;
            if (i < sections.size() - 1) {
                at = align8(at);
            }
        }
        ByteBuffer out = le(new byte[(int) at]);
        out.putInt(0x5849504B).putInt(sections.size());
        for (int i = 0; i < sections.size(); i++) {
            Section section = sections.get(i);
            out.putInt(section.type()).putInt(section.flags()).putLong(offsets[i]).putLong(section.body().length);
        }
        for (int i = 0; i < sections.size(); i++) {
            out.put((int) offsets[i], sections.get(i).body());
        }
        return out.array();
    }

    /** The bundle with its index region replaced by {@code sections}; lengths fixed up and re-sealed. */
    public static byte[] withSections(byte[] bundle, List<Section> sections) {
        int indexOffset = (int) indexOffset(bundle);
        return assemble(Arrays.copyOfRange(bundle, 0, HEADER_SIZE),
                Arrays.copyOfRange(bundle, HEADER_SIZE, indexOffset), encodeIndex(sections));
    }

    /** The bundle with one section's body replaced (same type and flags, same place in the table). */
    public static byte[] withSectionBody(byte[] bundle, int type, byte[] body) {
        List<Section> sections = new ArrayList<>(sections(bundle));
        sections.replaceAll(s -> s.type() == type ? new Section(type, s.flags(), body) : s);
        return withSections(bundle, sections);
    }

    /** Header + data area + index, with bundle_length, index_offset and index_length set and re-sealed. */
    public static byte[] assemble(byte[] header, byte[] data, byte[] index) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(header);
        out.writeBytes(data);
        out.writeBytes(index);
        byte[] bytes = out.toByteArray();
        le(bytes).putLong(16, bytes.length).putLong(24, HEADER_SIZE + data.length).putLong(32, index.length);
        return reseal(bytes);
    }

    /** One ENTRIES row, field by field as the spec's table lists them. */
    public record Row(int nameOffset, int nameLength, int kind, int parent, int mode, int uid, int gid,
            long mtimeSeconds, int mtimeNanos, int inode, long size, long ref) {
        byte[] encode() {
            ByteBuffer out = le(new byte[64]);
            out.putInt(nameOffset).putShort((short) nameLength).put((byte) kind).put((byte) 0).putInt(parent)
                    .putInt(mode).putInt(uid).putInt(gid).putLong(mtimeSeconds).putInt(mtimeNanos).putInt(inode)
                    .putLong(size).putLong(ref);
            return out.array();
        }
    }

    /**
     * A complete unsigned bundle with raw (codec none) blocks, written from the spec: the data stream cut
     * into {@code blockSize} blocks stored back to back after the header, then the index.
     */
    public static byte[] rawBundle(String kernelVersion, int blockSize, byte[] data, List<Row> rows,
            byte[] names) {
        byte[] version = kernelVersion.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        int blockCount = (data.length + blockSize - 1) / blockSize;
        ByteBuffer params = le(new byte[24 + version.length]);
        params.putInt(blockSize).putInt(blockCount).putLong(data.length).putInt(rows.size()).put((byte) 0)
                .put((byte) 0).putShort((short) version.length).put(version);
        ByteBuffer blocks = le(new byte[48 * blockCount]);
        for (int k = 0; k < blockCount; k++) {
            int from = k * blockSize;
            int to = Math.min(data.length, from + blockSize);
            blocks.putLong(HEADER_SIZE + from).putInt(to - from).put(new byte[4])
                    .put(sha256(Arrays.copyOfRange(data, from, to)));
        }
        ByteArrayOutputStream entries = new ByteArrayOutputStream();
        rows.forEach(row -> entries.writeBytes(row.encode()));
        byte[] index = encodeIndex(List.of(new Section(PARAMS, REQUIRED, params.array()),
                new Section(BLOCKS, REQUIRED, blocks.array()), new Section(ENTRIES, REQUIRED, entries.toByteArray()),
                new Section(NAMES, REQUIRED, names)));
        ByteBuffer header = le(new byte[HEADER_SIZE]);
        header.put(new byte[] {(byte) 0x89, 'K', 'P', 'K', '\r', '\n', 0x1a, '\n'}).putShort((short) 1)
                .putShort((short) 0).putInt(HEADER_SIZE);
        return assemble(header.array(), data, index);
    }

    /**
     * A one-block bundle (such as {@link #rawBundle} makes) with that block's stored bytes replaced by
     * {@code stored} under {@code codec}: the block row's length, codec and SHA-256 match, so the bytes reach
     * the decoder.
     */
    public static byte[] withOnlyBlock(byte[] bundle, int codec, byte[] stored) {
        List<Section> sections = new ArrayList<>(sections(bundle));
        sections.replaceAll(s -> {
            byte[] body = s.body().clone();
            if (s.type() == BLOCKS) {
                le(body).putInt(8, stored.length).put(12, (byte) codec).put(16, sha256(stored));
            } else if (s.type() == PARAMS) {
                body[20] = (byte) codec;
            }
            return new Section(s.type(), s.flags(), body);
        });
        return assemble(Arrays.copyOfRange(bundle, 0, HEADER_SIZE), stored, encodeIndex(sections));
    }

    public static byte[] sha256(byte[] bytes) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(bytes);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static long align8(long value) {
        return (value + 7) & ~7L;
    }
}
