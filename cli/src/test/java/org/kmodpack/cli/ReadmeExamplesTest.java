package org.kmodpack.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.kmodpack.testkernels.DebianKernels;
import org.kmodpack.testkernels.ModuleSigner;

/**
 * The README's example commands run as written, through the launcher as a user runs them: every command line of
 * its shell blocks that is not a synopsis ([optional] parts, PLACEHOLDERS, a|b choices) and names no remote host
 * (https://boot.example, oci://registry.example: their lines are parsed by {@link ExampleCommandsTest}). They
 * run in a private mount namespace that looks like the host the README describes: Debian's cloud kernel at
 * /lib/modules/6.1.0-28-amd64 with its vmlinuz at /boot/vmlinuz-6.1.0-28-amd64, and in the working directory
 * the launcher as ./kmodpack, the checkout's test-kernels/, a kernel build's signing key as
 * linux/certs/signing_key.pem and the bundle the examples read, modules-6.1.0-28-amd64.kpack. Each must exit 0 with nothing on stderr; where the README says what one writes,
 * that is checked too.
 */
class ReadmeExamplesTest {
    private static final String KVER = "6.1.0-28-amd64";
    private static final Pattern PLACEHOLDER = Pattern.compile("(?<![\\w$.-])[A-Z][A-Z_]{2,}(?![\\w])");

    @TempDir
    Path work;

    @Test
    void everyConcreteExampleRunsAsWritten() throws IOException, InterruptedException {
        List<String> examples = runnableExamples();
        assertTrue(examples.size() >= 6, "the README's runnable examples: " + examples);
        Path moduleDir = DebianKernels.moduleDir("cloud");
        Path vmlinuz = moduleDir.getParent().getParent().getParent().resolve("boot/vmlinuz-"
                + moduleDir.getFileName());
        Path bin = Files.createDirectories(work.resolve("bin"));
        Files.createSymbolicLink(bin.resolve("kmodpack"), Launcher.SYSTEM.resolve("kmodpack"));
        Path home = Files.createDirectories(work.resolve("home"));
        Files.createSymbolicLink(home.resolve("kmodpack"), Launcher.SYSTEM.resolve("kmodpack"));
        Files.createSymbolicLink(home.resolve("test-kernels"), Launcher.CHECKOUT.resolve("test-kernels"));
        ModuleSigner.kernelKey(home.resolve("linux/certs"));
        CliTest.Run pack = CliTest.run("pack", moduleDir.toString(), "-o",
                home.resolve("modules-" + KVER + ".kpack").toString(), "--quiet");
        assertEquals(0, pack.exit(), pack.err());

        String setUp = "set -euo pipefail; mkdir -p /lib/modules /boot; mount -t tmpfs readme /lib/modules; "
                + "mkdir /lib/modules/" + KVER
                + "; mount --bind \"$TREE\" /lib/modules/" + KVER + "; mount -t tmpfs readme /boot; "
                + "touch /boot/vmlinuz-" + KVER + "; mount --bind \"$VMLINUZ\" /boot/vmlinuz-" + KVER + "; ";
        for (String example : examples) {
            CliTest.Run run = inNamespace(setUp + example, home, bin, Map.of("TREE", moduleDir.toString(),
                    "VMLINUZ", vmlinuz.toString()));
            Assumptions.assumeFalse(run.exit() != 0 && run.err().contains("unshare: "),
                    "needs root to mount the README's host in a private namespace: " + run.err());
            assertEquals(0, run.exit(), example + "\n" + run.out() + run.err());
            assertEquals("", run.err(), example);
            assertFalse(run.out().isEmpty(), example + " says what it did");
        }
        // "kmodpack cert ... -o kernel-certs.pem   # every X.509 certificate in it, PEM"
        assertTrue(Files.readString(home.resolve("kernel-certs.pem")).startsWith("-----BEGIN CERTIFICATE-----\n"));
        // "kmodpack keygen -o release   # release.key (PKCS#8 PEM, 0600), release.pub"
        assertEquals("rw-------", java.nio.file.attribute.PosixFilePermissions.toString(
                Files.getPosixFilePermissions(home.resolve("release.key"))));
        assertTrue(Files.readString(home.resolve("release.pub")).startsWith("-----BEGIN PUBLIC KEY-----\n"));
        // Links out of the temporary directory are left for JUnit to warn about otherwise.
        for (Path link : List.of(bin.resolve("kmodpack"), home.resolve("kmodpack"), home.resolve("test-kernels"))) {
            Files.delete(link);
        }
    }

    /** The README's example command lines that name no placeholder and no remote host, in README order. */
    static List<String> runnableExamples() throws IOException {
        List<String> examples = new ArrayList<>();
        boolean inShell = false;
        for (String line : Files.readAllLines(Launcher.CHECKOUT.resolve("README.md"))) {
            if (line.startsWith("```")) {
                inShell = line.equals("```sh");
                continue;
            }
            if (!inShell || !(line.startsWith("kmodpack ") || line.startsWith("./kmodpack "))) {
                continue;
            }
            String command = line.replaceFirst("\\s{2,}#.*$", "");
            String unquoted = command.replaceAll("\"[^\"]*\"|'[^']*'", "\"\"");
            boolean synopsis = unquoted.contains("[") || unquoted.contains("...") || unquoted.contains("|")
                    || PLACEHOLDER.matcher(unquoted).find();
            if (!synopsis && !command.contains("://")) {
                examples.add(command);
            }
        }
        return examples;
    }

    /** {@code script} by bash in a private mount namespace, in {@code directory}, with {@code bin} on PATH. */
    private static CliTest.Run inNamespace(String script, Path directory, Path bin, Map<String, String> environment)
            throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder("unshare", "--mount", "--propagation", "private", "bash", "-c",
                script);
        builder.directory(directory.toFile());
        builder.environment().putAll(environment);
        builder.environment().put("PATH", bin + ":" + System.getenv("PATH"));
        builder.environment().put("KMODPACK_CLASSPATH", Launcher.classPath());
        builder.environment().put("KMODPACK_CDS_ARCHIVE", "");
        builder.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        Path out = Files.createTempFile(directory.getParent(), "out", ".txt");
        Path err = Files.createTempFile(directory.getParent(), "err", ".txt");
        builder.redirectOutput(out.toFile()).redirectError(err.toFile());
        Process process = builder.start();
        if (!process.waitFor(300, java.util.concurrent.TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IOException(script + " did not finish within 300 s");
        }
        String stdout = Files.readString(out);
        return new CliTest.Run(process.exitValue(), stdout, Files.readString(err),
                stdout.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }
}
