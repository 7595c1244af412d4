package org.kmodpack.format;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The index region: a section table followed by typed sections. {@link #decode} checks every offset,
 * length, name and tree link once, so that everything read through an {@code Index} afterwards is in range.
 */
public final class IndexRegion {
    public static final int SECTION_PARAMS = 1;
    public static final int SECTION_BLOCKS = 2;
    public static final int SECTION_ENTRIES = 3;
    public static final int SECTION_NAMES = 4;
    /** Optional: depmod's indexes and the modules' modinfo ({@link ModuleSection}); absent without depmod output. */
    public static final int SECTION_MODULES = 5;
    /** Format 1.1: the bundle is a layer over a base ({@link LayerSection}); REQUIRED, as 1.0 readers must refuse it. */
    public static final int SECTION_LAYER = 6;
    /** Format 1.2: the firmware tree beside the module directory ({@link FirmwareSection}); optional. */
    public static final int SECTION_FIRMWARE = 7;
    /**
     * Format 1.3: where each block starts in the data stream ({@link BlockLayout}); REQUIRED, as a reader that
     * takes every block for full would read the wrong bytes.
     */
    public static final int SECTION_BLOCK_STARTS = 8;
    /**
     * Format 1.4: the kernel image's exported symbols ({@link KernelSymbolSection}); optional, as a reader that
     * skips it reads the tree all the same and only cannot check modules merged over it.
     */
    public static final int SECTION_KERNEL_SYMBOLS = 9;
    /** Section flag: a reader that does not know this section type must refuse the bundle. */
    public static final int FLAG_REQUIRED = 1;
    static final int MAX_SECTIONS = 64;
    // The section table (spec/FORMAT.md section 4.1): magic, count, then one descriptor per section.
    private static final int TABLE_MAGIC_AT = 0;
    private static final int TABLE_COUNT_AT = 4;
    static final int TABLE_HEADER_SIZE = 8;
    private static final int DESCRIPTOR_TYPE_AT = 0;
    private static final int DESCRIPTOR_FLAGS_AT = 4;
    private static final int DESCRIPTOR_OFFSET_AT = 8;
    private static final int DESCRIPTOR_LENGTH_AT = 16;
    static final int SECTION_DESCRIPTOR_SIZE = 24;
    private static final int MAGIC = 0x5849504B; // "KPIX" read as a little-endian u32
    private static final int[] KNOWN_SECTIONS = {SECTION_PARAMS, SECTION_BLOCKS, SECTION_ENTRIES, SECTION_NAMES};

    private final String bundle;
    private final Params params;
    private final ByteBuffer blocks;
    private final BlockLayout blockLayout;
    private final TreeTable tree;
    private final TreeTable firmware;
    private final ByteBuffer modules;
    private final LayerSection layer;
    private final ByteBuffer kernelSymbols;

    private IndexRegion(String bundle, Params params, ByteBuffer blocks, BlockLayout blockLayout, TreeTable tree,
            TreeTable firmware, ByteBuffer modules, LayerSection layer, ByteBuffer kernelSymbols) {
        this.bundle = bundle;
        this.params = params;
        this.blocks = blocks;
        this.blockLayout = blockLayout;
        this.tree = tree;
        this.firmware = firmware;
        this.modules = modules;
        this.layer = layer;
        this.kernelSymbols = kernelSymbols;
    }

    /** The module directory's tree: the ENTRIES and NAMES sections. */
    public TreeTable tree() {
        return tree;
    }

    /** The firmware tree of the FIRMWARE section (format 1.2), or null when the bundle carries no firmware. */
    public TreeTable firmware() {
        return firmware;
    }

    /** The LAYER section, or null when the bundle is not a layer. */
    public LayerSection layer() {
        return layer;
    }

    /**
     * The KERNEL_SYMBOLS section's bytes (format 1.4), or null when the packer was given no kernel symbols; checked
     * by {@link KernelSymbolSection#decode} when first used, as most opens never look at it.
     */
    public ByteBuffer kernelSymbolsSection() {
        return kernelSymbols == null ? null : kernelSymbols.asReadOnlyBuffer().order(ByteOrder.LITTLE_ENDIAN);
    }

    /** The MODULES section's bytes, or null when the bundle has none. */
    public ByteBuffer modulesSection() {
        return modules == null ? null : modules.asReadOnlyBuffer().order(ByteOrder.LITTLE_ENDIAN);
    }

    public Params params() {
        return params;
    }

    /** Where each block's content lies in the data stream. */
    public BlockLayout blockLayout() {
        return blockLayout;
    }

    public BlockRecord block(int i) {
        try {
            return BlockRecord.decode(blocks, i, bundle);
        } catch (CorruptBundleException e) {
            throw new IllegalStateException("validated at decode", e);
        }
    }

    /**
     * Lays out the index region in the one canonical order: PARAMS, BLOCKS, ENTRIES, NAMES, then the optional
     * MODULES, FIRMWARE, KERNEL_SYMBOLS, LAYER and BLOCK_STARTS sections (null for none).
     */
    public static byte[] encode(Params params, List<BlockRecord> blockRecords, List<EntryRecord> entryRecords,
            byte[] nameBytes, byte[] modulesSection, byte[] firmwareSection, byte[] kernelSymbolSection,
            LayerSection layerSection, long[] blockStarts) {
        byte[] paramBytes = params.encode();
        ByteBuffer blockBytes = ByteBuffer.allocate(blockRecords.size() * BlockRecord.SIZE)
                .order(ByteOrder.LITTLE_ENDIAN);
        blockRecords.forEach(b -> b.encode(blockBytes));
        ByteBuffer entryBytes = ByteBuffer.allocate(entryRecords.size() * EntryRecord.SIZE)
                .order(ByteOrder.LITTLE_ENDIAN);
        entryRecords.forEach(e -> e.encode(entryBytes));
        List<byte[]> sectionList = new ArrayList<>(List.of(paramBytes, blockBytes.array(), entryBytes.array(),
                nameBytes));
        List<Integer> typeList = new ArrayList<>(List.of(SECTION_PARAMS, SECTION_BLOCKS, SECTION_ENTRIES,
                SECTION_NAMES));
        List<Integer> flagList = new ArrayList<>(List.of(FLAG_REQUIRED, FLAG_REQUIRED, FLAG_REQUIRED,
                FLAG_REQUIRED));
        if (modulesSection != null) {
            // Old readers skip an unknown section only when it is not REQUIRED: MODULES is optional.
            sectionList.add(modulesSection);
            typeList.add(SECTION_MODULES);
            flagList.add(0);
        }
        if (firmwareSection != null) {
            // A 1.1 reader that skips it still reads the module tree correctly: FIRMWARE is optional.
            sectionList.add(firmwareSection);
            typeList.add(SECTION_FIRMWARE);
            flagList.add(0);
        }
        if (kernelSymbolSection != null) {
            // A 1.3 reader that skips it reads the tree correctly; it only cannot check layers against the kernel.
            sectionList.add(kernelSymbolSection);
            typeList.add(SECTION_KERNEL_SYMBOLS);
            flagList.add(0);
        }
        if (layerSection != null) {
            // A 1.0 reader would take a layer for a whole tree: it must refuse it.
            sectionList.add(layerSection.encode());
            typeList.add(SECTION_LAYER);
            flagList.add(FLAG_REQUIRED);
        }
        if (blockStarts != null) {
            sectionList.add(BlockLayout.encode(blockStarts));
            typeList.add(SECTION_BLOCK_STARTS);
            flagList.add(FLAG_REQUIRED);
        }
        byte[][] sections = sectionList.toArray(new byte[0][]);
        int[] types = typeList.stream().mapToInt(Integer::intValue).toArray();
        int[] flags = flagList.stream().mapToInt(Integer::intValue).toArray();

        long[] offsets = new long[sections.length];
        long at = align8(TABLE_HEADER_SIZE + (long) SECTION_DESCRIPTOR_SIZE * sections.length);
        for (int i = 0; i < sections.length; i++) {
            offsets[i] = at;
            at += sections[i].length;
            if (i < sections.length - 1) {
                at = align8(at);
            }
        }
        ByteBuffer out = ByteBuffer.allocate(Math.toIntExact(at)).order(ByteOrder.LITTLE_ENDIAN);
        out.putInt(MAGIC).putInt(sections.length);
        for (int i = 0; i < sections.length; i++) {
            out.putInt(types[i]).putInt(flags[i]).putLong(offsets[i]).putLong(sections[i].length);
        }
        for (int i = 0; i < sections.length; i++) {
            out.put((int) offsets[i], sections[i]);
        }
        return out.array();
    }

    /**
     * Decodes an index region whose data blocks must exactly tile [{@code dataStart}, {@code dataEnd}):
     * no gap, overlap or unreferenced byte can exist between the header and the index.
     */
    public static IndexRegion decode(ByteBuffer region, long dataStart, long dataEnd, String bundle)
            throws CorruptBundleException {
        ByteBuffer index = region.slice().order(ByteOrder.LITTLE_ENDIAN);
        int length = index.remaining();
        if (length < TABLE_HEADER_SIZE || index.getInt(TABLE_MAGIC_AT) != MAGIC) {
            throw new CorruptBundleException(bundle, "index does not start with its magic number");
        }
        int count = index.getInt(TABLE_COUNT_AT);
        if (count <= 0 || count > MAX_SECTIONS
                || TABLE_HEADER_SIZE + (long) count * SECTION_DESCRIPTOR_SIZE > length) {
            throw new CorruptBundleException(bundle, "section count " + Integer.toUnsignedString(count)
                    + " does not fit the " + length + "-byte index");
        }
        ByteBuffer[] known = new ByteBuffer[KNOWN_SECTIONS.length + 1];
        ByteBuffer modules = null;
        ByteBuffer layer = null;
        ByteBuffer firmware = null;
        ByteBuffer blockStarts = null;
        ByteBuffer kernelSymbols = null;
        Set<Integer> seen = new HashSet<>();
        long tableEnd = TABLE_HEADER_SIZE + (long) count * SECTION_DESCRIPTOR_SIZE;
        long expected = align8(tableEnd);
        checkPadding(index, tableEnd, Math.min(expected, length), "the section table", bundle);
        for (int i = 0; i < count; i++) {
            int at = TABLE_HEADER_SIZE + i * SECTION_DESCRIPTOR_SIZE;
            int type = index.getInt(at + DESCRIPTOR_TYPE_AT);
            int flags = index.getInt(at + DESCRIPTOR_FLAGS_AT);
            long offset = index.getLong(at + DESCRIPTOR_OFFSET_AT);
            long sectionLength = index.getLong(at + DESCRIPTOR_LENGTH_AT);
            if (offset != expected || sectionLength < 0 || sectionLength > length - offset) {
                throw new CorruptBundleException(bundle, "section " + i + " (type " + type + ") at " + offset
                        + " length " + sectionLength + " is not where the layout puts it within the "
                        + length + "-byte index");
            }
            if (!seen.add(type)) {
                throw new CorruptBundleException(bundle, "section type " + type + " appears twice");
            }
            if ((flags & ~FLAG_REQUIRED) != 0) {
                throw new UnsupportedBundleException(bundle, "section " + type + " has flags 0x"
                        + Integer.toHexString(flags));
            }
            ByteBuffer body = index.slice((int) offset, (int) sectionLength).order(ByteOrder.LITTLE_ENDIAN);
            if (type >= 1 && type <= KNOWN_SECTIONS.length) {
                known[type] = body;
            } else if (type == SECTION_MODULES) {
                modules = body;
            } else if (type == SECTION_LAYER) {
                layer = body;
            } else if (type == SECTION_FIRMWARE) {
                firmware = body;
            } else if (type == SECTION_BLOCK_STARTS) {
                blockStarts = body;
            } else if (type == SECTION_KERNEL_SYMBOLS) {
                kernelSymbols = body;
            } else if ((flags & FLAG_REQUIRED) != 0) {
                throw new UnsupportedBundleException(bundle, "required section type " + type);
            }
            long end = offset + sectionLength;
            expected = i == count - 1 ? end : align8(end);
            checkPadding(index, end, Math.min(expected, length), "section " + type, bundle);
        }
        if (expected != length) {
            throw new CorruptBundleException(bundle, (length - expected)
                    + " bytes at the end of the index belong to no section");
        }
        for (int type : KNOWN_SECTIONS) {
            if (known[type] == null) {
                throw new CorruptBundleException(bundle, "index has no section of type " + type);
            }
        }
        Params params = Params.decode(known[SECTION_PARAMS], bundle);
        ByteBuffer blocks = known[SECTION_BLOCKS];
        ByteBuffer entries = known[SECTION_ENTRIES];
        ByteBuffer names = known[SECTION_NAMES];
        BlockLayout blockLayout = blockStarts == null ? BlockLayout.full(params, bundle)
                : BlockLayout.decode(blockStarts, params, bundle);
        checkBlocks(params, blockLayout, blocks, dataStart, dataEnd, bundle);
        if (entries.remaining() != (long) params.entryCount() * EntryRecord.SIZE) {
            throw new CorruptBundleException(bundle, "ENTRIES section is " + entries.remaining()
                    + " bytes but PARAMS announces " + params.entryCount() + " entries");
        }
        TreeTable tree = TreeTable.decode(bundle, "", params.entryCount(), params.dataLength(), entries, names);
        return new IndexRegion(bundle, params, blocks, blockLayout, tree,
                firmware == null ? null : FirmwareSection.decode(firmware, params.dataLength(), bundle), modules,
                layer == null ? null : LayerSection.decode(layer, bundle),
                kernelSymbols);
    }

    private static void checkBlocks(Params params, BlockLayout layout, ByteBuffer blocks, long dataStart,
            long dataEnd, String bundle) throws CorruptBundleException {
        if (blocks.remaining() != (long) params.blockCount() * BlockRecord.SIZE) {
            throw new CorruptBundleException(bundle, "BLOCKS section is " + blocks.remaining()
                    + " bytes but PARAMS announces " + params.blockCount() + " blocks");
        }
        long expected = dataStart;
        for (int i = 0; i < params.blockCount(); i++) {
            BlockRecord block = BlockRecord.decode(blocks, i, bundle);
            int contentSize = layout.contentSize(i);
            long stored = Integer.toUnsignedLong(block.storedLength());
            boolean sizeOk = block.codec() == Codec.NONE ? stored == contentSize : stored > 0 && stored < contentSize;
            if (block.offset() != expected || !sizeOk || stored > dataEnd - expected) {
                throw new CorruptBundleException(bundle, "block " + i + " at " + block.offset() + " with "
                        + stored + " stored bytes (" + block.codec().label() + ", " + contentSize
                        + " bytes of content) does not follow block " + (i - 1) + " inside the data area ["
                        + dataStart + ", " + dataEnd + ")");
            }
            expected += stored;
        }
        if (expected != dataEnd) {
            throw new CorruptBundleException(bundle, (dataEnd - expected)
                    + " bytes between the last block and the index belong to no block");
        }
    }

    private static void checkPadding(ByteBuffer index, long from, long to, String after, String bundle)
            throws CorruptBundleException {
        for (long pad = from; pad < to; pad++) {
            if (index.get((int) pad) != 0) {
                throw new CorruptBundleException(bundle, "padding after " + after + " is not zero");
            }
        }
    }

    static long align8(long value) {
        return (value + 7) & ~7L;
    }
}
