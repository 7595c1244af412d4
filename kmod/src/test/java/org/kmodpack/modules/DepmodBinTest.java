package org.kmodpack.modules;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.kmodpack.format.ModuleContent.Key;
import org.kmodpack.testkernels.SyntheticKernel;
import org.kmodpack.testkernels.SyntheticKernels;

/** depmod's binary tries: every key of the text files is found, and damaged tries give clear errors. */
class DepmodBinTest {
    @TempDir
    Path work;

    /**
     * Surprise found here: depmod writes modules.alias with the aliases as the modules spell them, but stores them
     * in modules.alias.bin with '-' turned into '_' outside brackets (char-major-10-229 becomes char_major_10_229),
     * and kmod only searches the .bin.
     */
    @Test
    void aliasTrieHoldsTheTextFilesAliasesNormalised() throws IOException {
        Path moduleDir = SyntheticKernels.moduleDir(SyntheticKernel.BASIC);
        List<String> fromText = new ArrayList<>();
        for (String line : Files.readAllLines(moduleDir.resolve("modules.alias"), StandardCharsets.UTF_8)) {
            if (line.startsWith("alias ")) {
                String[] words = line.split(" ");
                fromText.add(underscores(words[1]) + " " + words[2]);
            }
        }
        List<String> fromTrie = new ArrayList<>();
        for (Key key : DepmodBin.read(moduleDir.resolve("modules.alias.bin"))) {
            key.values().forEach(v -> fromTrie.add(key.key() + " " + v.name()));
        }
        fromText.sort(null);
        fromTrie.sort(null);
        assertEquals(fromText, fromTrie);
        assertEquals(Files.readAllLines(moduleDir.resolve("modules.dep")).size(),
                DepmodBin.read(moduleDir.resolve("modules.dep.bin")).size());
    }

    @Test
    void damagedTriesGiveErrorsThatNameTheFileAndTheFix() throws IOException {
        byte[] good = Files.readAllBytes(SyntheticKernels.moduleDir(SyntheticKernel.BASIC).resolve("modules.alias.bin"));
        Path file = work.resolve("modules.alias.bin");
        Files.write(file, java.util.Arrays.copyOf(good, 8));
        assertRefused(file, "no depmod index magic");
        byte[] version = good.clone();
        ByteBuffer.wrap(version).putInt(4, 0x00010001);
        Files.write(file, version);
        assertRefused(file, "version");
        // 40 nodes, each with two children that are both the next node: 2^40 paths unless sharing is caught.
        ByteBuffer dag = ByteBuffer.allocate(12 + 40 * 10);
        dag.putInt(0xB007F457).putInt(0x00020001).putInt(0x20000000 | 12);
        for (int n = 0; n < 40; n++) {
            int next = n == 39 ? 0 : 0x20000000 | (12 + (n + 1) * 10);
            dag.put((byte) 'a').put((byte) 'b').putInt(next).putInt(next);
        }
        Files.write(file, dag.array());
        assertRefused(file, "shared or loop");
        Random random = new Random(3);
        for (int round = 0; round < 500; round++) {
            byte[] bad = java.util.Arrays.copyOf(good, 12 + random.nextInt(good.length - 12));
            bad[12 + random.nextInt(bad.length - 12)] ^= (byte) (1 << random.nextInt(8));
            Files.write(file, bad);
            try {
                DepmodBin.read(file);
            } catch (IOException refused) {
                assertTrue(refused.getMessage().startsWith(file + ": ")
                        && refused.getMessage().endsWith("run depmod again on the tree"), refused.getMessage());
            }
        }
    }

    private static String underscores(String alias) {
        StringBuilder out = new StringBuilder();
        boolean inBrackets = false;
        for (char c : alias.toCharArray()) {
            inBrackets = c == '[' || (inBrackets && c != ']');
            out.append(c == '-' && !inBrackets ? '_' : c);
        }
        return out.toString();
    }

    private static void assertRefused(Path file, String reason) {
        IOException e = assertThrows(IOException.class, () -> DepmodBin.read(file));
        assertTrue(e.getMessage().startsWith(file + ": ") && e.getMessage().contains(reason), e.getMessage());
    }
}
