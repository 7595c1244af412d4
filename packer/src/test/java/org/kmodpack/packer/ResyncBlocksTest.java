package org.kmodpack.packer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.kmodpack.format.IndexRegion;
import org.kmodpack.reader.Bundle;
import org.kmodpack.testkernels.DebianKernels;
import org.kmodpack.testkernels.HardLinkedTree;
import org.kmodpack.testkernels.Kmod;

/**
 * Resynchronising blocks (format 1.3) on Debian's cloud kernel: the tree rebuilt with one module smaller than a
 * block replaced by a build of another size (its appended signature removed, depmod run again) gives a bundle
 * whose blocks are the first bundle's but for at most two: the one holding the module and the one holding its
 * modinfo record. With fixed blocks nearly every block after the module differs.
 */
class ResyncBlocksTest {
    private static final byte[] SIGNATURE_MAGIC = "~Module signature appended~\n".getBytes(StandardCharsets.US_ASCII);
    /** struct module_signature, which ends with the signature's length (big-endian u32). */
    private static final int SIGNATURE_INFO = 12;

    @Test
    void aTreeRebuiltWithOneModuleChangedSharesAllButTwoBlocks(@TempDir Path work) throws IOException {
        Path moduleDir = DebianKernels.moduleDir("cloud");
        String kernelVersion = moduleDir.getFileName().toString();
        Path root = work.resolve("root");
        Path rebuilt = HardLinkedTree.copy(moduleDir, root, kernelVersion);
        Path module = middleSignedModule(rebuilt);
        byte[] unsigned = withoutSignature(Files.readAllBytes(module));
        Files.delete(module);
        Files.write(module, unsigned);
        Kmod.Result depmod = Kmod.run(List.of("depmod", "-b", root.toString(), kernelVersion));
        assertEquals(0, depmod.exit(), depmod.err());

        PackOptions resync = PackOptions.defaults().withResyncBlocks(true);
        Path first = pack(moduleDir, work.resolve("first.kpack"), resync);
        Path second = pack(rebuilt, work.resolve("second.kpack"), resync);
        assertTrue(newBlocks(first, second) <= 2, newBlocks(first, second) + " blocks differ");
        assertTrue(newBlocks(pack(moduleDir, work.resolve("first-fixed.kpack"), PackOptions.defaults()),
                pack(rebuilt, work.resolve("second-fixed.kpack"), PackOptions.defaults())) > 10);
        try (Bundle bundle = Bundle.open(second)) {
            assertEquals("1.3", bundle.info().formatVersion());
            assertArrayEquals(unsigned, bundle.readAllBytes(bundle.get(rebuilt.relativize(module).toString())));
            bundle.verifyBlocks();
        }
    }

    private static Path pack(Path tree, Path bundle, PackOptions options) throws IOException {
        Packer.pack(tree, bundle, options, PackProgress.NONE);
        return bundle;
    }

    /** The number of blocks of {@code second} whose SHA-256 no block of {@code first} has. */
    private static int newBlocks(Path first, Path second) throws IOException {
        Set<String> known = new HashSet<>();
        int fresh = 0;
        try (Bundle old = Bundle.open(first); Bundle rebuilt = Bundle.open(second)) {
            IndexRegion oldIndex = old.index();
            for (int b = 0; b < oldIndex.params().blockCount(); b++) {
                known.add(HexFormat.of().formatHex(oldIndex.block(b).sha256()));
            }
            IndexRegion index = rebuilt.index();
            for (int b = 0; b < index.params().blockCount(); b++) {
                fresh += known.contains(HexFormat.of().formatHex(index.block(b).sha256())) ? 0 : 1;
            }
        }
        return fresh;
    }

    /** The signed module in the middle of the tree's path order, smaller than a block. */
    private static Path middleSignedModule(Path moduleDir) throws IOException {
        try (Stream<Path> files = Files.walk(moduleDir.resolve("kernel"))) {
            List<Path> modules = files.filter(p -> p.toString().endsWith(".ko")).sorted().toList();
            for (Path module : modules.subList(modules.size() / 2, modules.size())) {
                byte[] bytes = Files.readAllBytes(module);
                if (bytes.length < PackOptions.DEFAULT_BLOCK_SIZE / 8 && endsWithSignature(bytes)) {
                    return module;
                }
            }
        }
        throw new IllegalStateException(moduleDir + " has no signed module");
    }

    private static boolean endsWithSignature(byte[] module) {
        return module.length > SIGNATURE_MAGIC.length && Arrays.equals(module, module.length - SIGNATURE_MAGIC.length,
                module.length, SIGNATURE_MAGIC, 0, SIGNATURE_MAGIC.length);
    }

    private static byte[] withoutSignature(byte[] module) {
        int lengthAt = module.length - SIGNATURE_MAGIC.length - 4;
        int signature = ((module[lengthAt] & 0xff) << 24) | ((module[lengthAt + 1] & 0xff) << 16)
                | ((module[lengthAt + 2] & 0xff) << 8) | (module[lengthAt + 3] & 0xff);
        return Arrays.copyOf(module, module.length - SIGNATURE_MAGIC.length - SIGNATURE_INFO - signature);
    }
}
