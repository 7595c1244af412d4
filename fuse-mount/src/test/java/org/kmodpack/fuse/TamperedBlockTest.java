package org.kmodpack.fuse;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.kmodpack.format.BlockRecord;
import org.kmodpack.format.EntryRecord;
import org.kmodpack.format.IndexRegion;
import org.kmodpack.packer.PackOptions;
import org.kmodpack.packer.PackProgress;
import org.kmodpack.packer.Packer;
import org.kmodpack.reader.Bundle;
import org.kmodpack.reader.Entry;
import org.kmodpack.testkernels.Bytes;
import org.kmodpack.testkernels.Figure;
import org.kmodpack.testkernels.Figures;
import org.kmodpack.testkernels.SyntheticKernel;
import org.kmodpack.testkernels.SyntheticKernels;

/** One damaged block: reads of the files it holds fail with EIO and one log line; the rest of the tree reads. */
@ExtendWith(Figures.class)
class TamperedBlockTest {
    private static final int BLOCK = 4096;

    static final Figure HELD = new Figure("files-of-damaged-block", "files with bytes in the damaged block, "
            + "from the bundle's index");
    static final Figure EIO = new Figure("files-eio", "files of the damaged block whose read through the mount "
            + "failed with EIO (Input/output error)");
    static final Figure INTACT = new Figure("other-files-intact", "every other non-empty file, read through the "
            + "mount with the source's bytes");
    static final Figure LOG = new Figure("log-lines", "lines the mount logged for the refused reads");

    @TempDir
    Path work;

    @Test
    void aFlippedByteFailsOnlyTheFilesOfItsBlock() throws Exception {
        FuseAvailability.require();
        Path source = SyntheticKernels.moduleDir(SyntheticKernel.BASIC);
        Path bundlePath = work.resolve("tampered.kpack");
        Packer.pack(source, bundlePath, PackOptions.defaults().withBlockSize(BLOCK), PackProgress.NONE);

        List<Entry> files = new ArrayList<>();
        IndexRegion index;
        try (Bundle bundle = Bundle.open(bundlePath)) {
            bundle.entries().stream().filter(e -> e.isFile() && e.size() > 0).forEach(files::add);
            index = bundle.index();
        }
        Entry victim = files.stream().filter(e -> e.path().equals("modules.dep")).findFirst().orElseThrow();
        int damagedBlock = (int) (index.tree().entry(victim.index()).ref() / BLOCK);
        BlockRecord block = index.block(damagedBlock);
        Bytes.flip(bundlePath, block.offset() + block.storedLength() / 2, 0x10);

        List<String> log = new CopyOnWriteArrayList<>();
        Path mountPoint = Files.createDirectories(work.resolve("mnt"));
        try (Bundle bundle = Bundle.open(bundlePath);
                FuseMount mount = FuseMount.start(bundle, mountPoint, bundlePath.toString(),
                        FuseMount.Options.defaults(), log::add, 10_000)) {
            int refused = 0;
            for (Entry file : files) {
                EntryRecord record = index.tree().entry(file.index());
                long first = record.ref() / BLOCK;
                long last = (record.ref() + record.size() - 1) / BLOCK;
                Path mounted = mountPoint.resolve(file.path());
                if (first <= damagedBlock && damagedBlock <= last) {
                    HELD.increment();
                    IOException e = assertThrows(IOException.class, () -> Files.readAllBytes(mounted), file.path());
                    assertTrue(e.getMessage().contains("Input/output error"), e.toString());
                    EIO.increment();
                    refused++;
                } else {
                    assertArrayEquals(Files.readAllBytes(source.resolve(file.path())), Files.readAllBytes(mounted),
                            file.path());
                    INTACT.increment();
                }
            }
            LOG.add(log.size());
            assertTrue(refused >= 1);
            assertEquals(refused, log.size(), "one log line per refused file: " + log);
            assertTrue(log.get(0).contains("block " + damagedBlock), log.get(0));
        }
    }
}
