package org.kmodpack.format;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.google.common.jimfs.Configuration;
import com.google.common.jimfs.Jimfs;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.FileSystem;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * Coverage-guided fuzzing of the bundle's own structures (bench/fuzz runs each target under libFuzzer; every
 * build replays the committed inputs in FormatFuzzTestInputs/). The contract of each parser on hostile bytes:
 * a value, or a CorruptBundleException naming the bundle; nothing else, no hang and no allocation the input
 * did not pay for. The inputs are taken from bundles packed and signed by kmodpack (see bench/fuzz-seeds).
 */
class FormatFuzzTest {
    private static final String NAME = "fuzz.kpack";
    private static final FileSystem FS = Jimfs.newFileSystem(Configuration.unix());

    /**
     * A bundle's first bytes, the file as long as the input. The CRC is recomputed (a fuzzer cannot guess it) so
     * that mutations reach the checks behind it; the CRC's own check is the resealing left out, one time in four.
     */
    @FuzzTest
    void header(byte[] file) {
        byte[] bytes = file.length >= Header.SIZE && file[file.length - 1] % 4 != 0 ? Forge.resealHeader(file) : file;
        refusedOrDecoded(() -> Header.decode(Arrays.copyOf(bytes, Math.min(Header.SIZE, bytes.length)), bytes.length,
                NAME));
    }

    /** An index region: eight bytes of index_offset (little-endian), then the region. */
    @FuzzTest
    void index(byte[] input) {
        if (input.length < 8) {
            return;
        }
        long dataEnd = ByteBuffer.wrap(input).order(ByteOrder.LITTLE_ENDIAN).getLong(0);
        refusedOrDecoded(() -> {
            IndexRegion index = IndexRegion.decode(ByteBuffer.wrap(input, 8, input.length - 8).slice(),
                    Header.SIZE, dataEnd, NAME);
            for (int i = 0; i < index.tree().entryCount(); i++) {
                EntryRecord entry = index.tree().entry(i);
                index.tree().nameBytes(entry);
                index.tree().linkCount(entry);
            }
            for (int k = 0; k < index.params().blockCount(); k++) {
                index.block(k);
            }
            if (index.modulesSection() != null) {
                exercise(ModuleSection.decode(index.modulesSection(), NAME));
            }
        });
    }

    /** A signature block, with the statement inside it. */
    @FuzzTest
    void signatureBlock(byte[] block) {
        refusedOrDecoded(() -> SignatureBlock.decode(block, NAME));
    }

    /** A statement alone. */
    @FuzzTest
    void statement(byte[] statement) {
        refusedOrDecoded(() -> Statement.decode(statement, NAME));
    }

    /** A MODULES section body, every lookup made on it, and a modinfo record. */
    @FuzzTest
    void modulesSection(byte[] body) {
        refusedOrDecoded(() -> exercise(ModuleSection.decode(ByteBuffer.wrap(body).order(ByteOrder.LITTLE_ENDIAN),
                NAME)));
        refusedOrDecoded(() -> ModuleSection.decodeInfo(body, NAME));
    }

    /**
     * A whole bundle opened and read (every entry, every block, through the block decoders), with every block
     * hash, the index hash and the header CRC recomputed first, as an attacker who ships an unsigned bundle can:
     * so mutations reach the structures and decoders behind the checksums.
     */
    @FuzzTest
    void bundle(byte[] bytes) throws IOException {
        Path file = FS.getPath("/" + NAME);
        byte[] resealed = resealed(bytes);
        refusedOrDecoded(() -> HostileBundles.openAndReadEverything(file, resealed));
    }

    /** The bundle with its checksums made to match, where its header and BLOCKS section can be found. */
    private static byte[] resealed(byte[] bundle) {
        if (bundle.length < Header.SIZE) {
            return bundle;
        }
        byte[] out = bundle.clone();
        try {
            ByteBuffer le = Forge.le(out);
            long indexOffset = Forge.indexOffset(out);
            int blocks = Forge.block(out, 0);
            int count = le.getInt(Forge.sectionStart(out, Forge.PARAMS) + 4);
            for (int k = 0, row = blocks; k < count && row >= 0 && row + 48 <= out.length; k++, row += 48) {
                long offset = le.getLong(row);
                long length = Integer.toUnsignedLong(le.getInt(row + 8));
                if (offset < Header.SIZE || offset + length > indexOffset || offset + length > out.length) {
                    break;
                }
                le.put(row + 16, Forge.sha256(Arrays.copyOfRange(out, (int) offset, (int) (offset + length))));
            }
        } catch (RuntimeException noBlocksSection) {
            // The index is too damaged to find the blocks: only the index hash and CRC are recomputed.
        }
        return Forge.reseal(out);
    }

    /** Every accessor of the decoded section, as kmod's lookups use them, on every module and key. */
    private static void exercise(ModuleSection section) {
        for (int m = 0; m < section.moduleCount(); m++) {
            String name = section.moduleName(m);
            section.findModule(name);
            section.modulePath(m);
            section.moduleEntry(m);
            section.moduleDeps(m);
            section.moduleInfo(m);
            section.moduleFlags(m);
            section.isBuiltin(name);
            section.builtinInfo(name);
        }
        for (ModuleSection.KeyTable table : ModuleSection.KeyTable.values()) {
            section.patterns(table);
            for (int key = 0; key < section.keyCount(table); key++) {
                byte[] pattern = section.keyPattern(table, key);
                section.keyIsWild(table, key);
                section.keyValues(table, key);
                section.keysWithLiteralPrefix(table, pattern, pattern.length);
            }
        }
        section.softdepConfig();
    }

    interface Parse {
        void run() throws IOException;
    }

    /** Runs {@code parse}; a refusal must be a CorruptBundleException that names the bundle. */
    static void refusedOrDecoded(Parse parse) {
        try {
            parse.run();
        } catch (CorruptBundleException refused) {
            assertTrue(refused.getMessage().startsWith(NAME + ": ") || refused.getMessage().startsWith("/" + NAME
                    + ": "), refused.getMessage());
        } catch (IOException other) {
            throw new AssertionError("not a CorruptBundleException: " + other, other);
        }
    }
}
