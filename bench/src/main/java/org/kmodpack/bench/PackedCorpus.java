package org.kmodpack.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import org.kmodpack.packer.PackOptions;
import org.kmodpack.packer.PackProgress;
import org.kmodpack.packer.Packer;

/** A {@link Corpus} packed with the default options into a temporary directory, deleted with everything in it. */
final class PackedCorpus implements AutoCloseable {
    final Path tree;
    final Path work;
    final Path file;

    PackedCorpus(String corpus) throws IOException {
        tree = Corpus.moduleDir(corpus);
        work = Files.createTempDirectory("kmodpack-bench");
        file = work.resolve(tree.getFileName() + ".kpack");
        Packer.pack(tree, file, PackOptions.defaults(), PackProgress.NONE);
    }

    /** ROOT of ROOT/lib/modules/KVER, for kmod's {@code -d ROOT}. */
    Path root() {
        return tree.getParent().getParent().getParent();
    }

    @Override
    public void close() throws IOException {
        deleteTree(work);
    }

    static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) files.sorted(Comparator.reverseOrder())::iterator) {
                Files.delete(p);
            }
        }
    }
}
