package org.kmodpack.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import org.kmodpack.testkernels.DebianKernels;
import org.kmodpack.testkernels.SyntheticKernel;
import org.kmodpack.testkernels.SyntheticKernels;

/**
 * The module trees the benchmarks measure, by the names bench/run takes: "cloud" and "amd64" (Debian's kernels,
 * fetched and cached by test-kernels/fetch-debian-kernel), "synthetic" (test-kernels' small gcc-built tree, for
 * trying the benchmarks out in seconds) or the path of a module directory ROOT/lib/modules/KVER.
 */
public final class Corpus {
    private Corpus() {
    }

    public static Path moduleDir(String corpus) throws java.io.IOException {
        switch (corpus) {
            case "cloud":
            case "amd64":
                return DebianKernels.moduleDir(corpus);
            case "synthetic":
                return SyntheticKernels.moduleDir(SyntheticKernel.BASIC);
            default:
                Path dir = Path.of(corpus).toAbsolutePath();
                // modprobe -d ROOT and the mount's ROOT/lib/modules/KVER both need depmod's output in that shape.
                if (!Files.isRegularFile(dir.resolve("modules.dep")) || dir.getNameCount() < 3
                        || !dir.getParent().getFileName().toString().equals("modules")) {
                    throw new IllegalArgumentException(corpus + " is not cloud, amd64, synthetic or a depmod'ed "
                            + "module directory ROOT/lib/modules/KVER (with modules.dep)");
                }
                return dir;
        }
    }

    /** Prints the module directory of the corpus named by the only argument (bench/run's --corpus). */
    public static void main(String[] args) throws java.io.IOException {
        if (args.length != 1) {
            System.err.println("usage: Corpus cloud|amd64|synthetic|DIR");
            System.exit(2);
        }
        try {
            System.out.println(moduleDir(args[0]));
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.exit(1);
        }
    }
}
