import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.kmodpack.reader.Bundle;
import org.kmodpack.reader.TrustPolicy;

/**
 * The library's verify inside a running JVM: Bundle.open(path, policy) (signature, statement, index hash)
 * then verifyBlockHashes() (every block's SHA-256), as `kmodpack verify` does, minus JVM start.
 * Warm-up rounds let the JIT compile the hashing loop; then RUNS timed rounds, median and min-max in MB/s.
 * Run with the CLI jar on the class path: java -cp cli/target/kmodpack.jar bench/VerifyThroughput.java BUNDLE KEY.pub
 */
public class VerifyThroughput {
    public static void main(String[] args) throws Exception {
        Path bundle = Path.of(args[0]);
        TrustPolicy policy = TrustPolicy.trusting(List.of(Path.of(args[1])));
        int warmup = Integer.getInteger("warmup", 5);
        int runs = Integer.getInteger("runs", 9);
        long bytes = Files.size(bundle);
        double[] seconds = new double[runs];
        for (int i = -warmup; i < runs; i++) {
            long t0 = System.nanoTime();
            try (Bundle opened = Bundle.open(bundle, policy)) {
                opened.verifyBlockHashes();
            }
            if (i >= 0) {
                seconds[i] = (System.nanoTime() - t0) / 1e9;
            }
        }
        Arrays.sort(seconds);
        double median = seconds[runs / 2];
        System.out.printf("%d %.4f %.4f %.4f %.1f %.1f %.1f%n", bytes, median, seconds[0], seconds[runs - 1],
                bytes / median / 1e6, bytes / seconds[runs - 1] / 1e6, bytes / seconds[0] / 1e6);
    }
}
