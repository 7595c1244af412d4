package org.kmodpack.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.kmodpack.cli.CliTest.run;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.kmodpack.cli.CliTest.Run;
import org.kmodpack.testkernels.SyntheticKernel;

/**
 * Every failure the command-line issue lists, as a user meets it: the exit status, the exact stderr lines
 * (one line naming the user's path and what to do; a usage error's line and the pointer to --help), nothing on
 * stdout, and nothing written or left behind in the directory the command would have written to.
 */
class CliErrorsTest {
    @TempDir
    static Path work;
    static BasicBundle basic;
    static Path output;

    @BeforeAll
    static void packBasic() throws IOException {
        basic = BasicBundle.pack(work.resolve("basic.kpack"), "--block-size", "64K");
        output = Files.createDirectories(work.resolve("out"));
    }

    /** Runs in process; asserts the exit status, the exact stderr, no stdout and an unchanged output directory. */
    private static void fails(int exit, String stderr, String... args) throws IOException {
        List<String> before = listing(output);
        Run run = run(args);
        assertEquals(stderr, run.err(), String.join(" ", args));
        assertEquals(exit, run.exit(), String.join(" ", args));
        assertEquals("", run.out() + new String(run.stdout(), StandardCharsets.UTF_8), String.join(" ", args));
        assertEquals(before, listing(output), "nothing written or left behind by " + String.join(" ", args));
    }

    private static String usage(String command, String message) {
        return "kmodpack " + command + ": " + message + "\nTry 'kmodpack " + command
                + " --help' for more information.\n";
    }

    private static List<String> listing(Path directory) throws IOException {
        try (Stream<Path> files = Files.walk(directory)) {
            return files.map(Path::toString).sorted().toList();
        }
    }

    @Test
    void valueErrorsAreOneLineAndAPointerToHelp() throws IOException {
        String out = output.resolve("x.kpack").toString();
        fails(2, usage("pack", "--block-size 3M: block size 3145728 must be a power of two from 4 KiB to 64 MiB"),
                "pack", basic.tree().toString(), "-o", out, "--block-size", "3M");
        fails(2, usage("pack", "--level 23: zstd level 23 is outside 1..22"),
                "pack", basic.tree().toString(), "-o", out, "--level", "23");
        fails(2, usage("pack", "--threads 0: threads must be at least 1, not 0"),
                "pack", basic.tree().toString(), "-o", out, "--threads", "0");
        fails(2, usage("pack", "--codec: 'lz4' is not a codec: give zstd, xz or none"),
                "pack", basic.tree().toString(), "-o", out, "--codec", "lz4");
        fails(2, usage("pack", "--level loud: takes a number or 'max'"),
                "pack", basic.tree().toString(), "-o", out, "--level", "loud");
        fails(2, usage("modprobe", "--set-version needs a value (KVER)"), "modprobe", basic.bundle().toString(),
                "btrfs", "-S");
        fails(2, usage("modinfo", "--set-version needs a value (KVER)"), "modinfo", basic.bundle().toString(),
                "btrfs", "-k");
        fails(2, usage("mount", "--prefetch: 'sometimes' is not what to prefetch: give devices, all, index or none"),
                "mount", basic.bundle().toString(), "--prefetch", "sometimes");
    }

    @Test
    void aStrayArgumentIsNotCalledAnOption() throws IOException {
        fails(2, usage("pack", "unknown option '--levle' (did you mean --level?)"),
                "pack", basic.tree().toString(), "--levle", "x");
        fails(2, usage("info", "unexpected argument 'extra'"), "info", basic.bundle().toString(), "extra");
        fails(2, usage("cat", "missing 'PATH'"), "cat", basic.bundle().toString());
        fails(2, "kmodpack: name a command, e.g. 'kmodpack pack DIR'\nTry 'kmodpack --help' for more "
                + "information.\n");
    }

    @Test
    void libraryWordsDoNotLeak() throws IOException {
        fails(1, "kmodpack: " + basic.tree() + ": is a directory, not a bundle; pack it first (kmodpack pack "
                + basic.tree() + ")\n",
                "info", basic.tree().toString());
        fails(1, "kmodpack: -: a bundle is read by position, which standard input cannot be; give the bundle's file "
                + "name\n", "info", "-");
        fails(2, usage("ls", "--trust: 'https://example.com/release.pub' is a URL; this takes a local file "
                + "(kmodpack pull or curl -o FILE fetches one)"),
                "ls", basic.bundle().toString(), "--trust", "https://example.com/release.pub");
        fails(1, "kmodpack: ftp://example.com/x.kpack: not a URL kmodpack reads; give a file, an http:// or "
                + "https:// URL, or oci://REGISTRY/REPOSITORY:TAG\n", "info", "ftp://example.com/x.kpack");
        Path garbage = Files.writeString(work.resolve("garbage.pub"), "garbage, not a key: abcdef");
        fails(1, "kmodpack: " + garbage + ": neither PEM nor DER; a trust file holds PEM public keys or "
                + "certificates, or one DER certificate or public key: replace it with one, or remove it\n",
                "ls", basic.bundle().toString(), "--trust", garbage.toString());
    }

    @Test
    void packChecksTheDestinationBeforeTheWork() throws IOException {
        Path missing = output.resolve("no/such/dir/x.kpack");
        fails(1, "kmodpack: " + missing + ": directory " + missing.getParent() + " does not exist; create it first "
                + "(mkdir -p " + missing.getParent() + ")\n", "pack", basic.tree().toString(), "-o",
                missing.toString());
        Path directory = Files.createDirectories(work.resolve("a-directory.kpack"));
        fails(1, "kmodpack: " + directory + ": is a directory; give the name of the file to write (-o "
                + directory.resolve("NAME") + ")\n", "pack", basic.tree().toString(), "-o", directory.toString());
        assertTrue(listing(directory).size() == 1, "nothing written into the directory");
    }

    @Test
    void aFullOrReadOnlyDestinationIsNamedAndNothingIsLeftThere() throws IOException, InterruptedException {
        long treeBytes;
        try (Stream<Path> files = Files.walk(basic.tree())) {
            treeBytes = files.filter(Files::isRegularFile).mapToLong(file -> file.toFile().length()).sum();
        }
        assertTrue(Files.size(basic.bundle()) > 8192, "the bundle does not fit the full file system's one page");
        Path full = Files.createDirectories(work.resolve("full"));
        Path readOnly = Files.createDirectories(work.resolve("read-only"));
        String pack = Launcher.SYSTEM.resolve("kmodpack") + " pack " + basic.tree() + " --quiet -o ";
        ProcessBuilder builder = new ProcessBuilder("unshare", "--mount", "--propagation", "private", "bash", "-c",
                "mount -t tmpfs -o size=4k kmodpack-full " + full + " && mount -t tmpfs -o ro kmodpack-read-only "
                        + readOnly + " || exit 99\n"
                        + pack + full.resolve("x.kpack") + " 2>" + work.resolve("full.err") + "; echo \"full $?\"; "
                        + "ls -A " + full + "\n"
                        + Launcher.SYSTEM.resolve("kmodpack") + " extract " + basic.bundle() + " " + full.resolve("tree")
                        + " 2>" + work.resolve("extract.err") + "; echo \"extract $?\"; ls -A " + full + "\n"
                        + pack + readOnly.resolve("x.kpack") + " 2>" + work.resolve("read-only.err")
                        + "; echo \"read-only $?\"; ls -A " + readOnly + "\n");
        builder.environment().put("KMODPACK_CLASSPATH", Launcher.classPath());
        builder.environment().put("KMODPACK_CDS_ARCHIVE", "");
        builder.redirectErrorStream(true).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        Process process = builder.start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(120, java.util.concurrent.TimeUnit.SECONDS));
        Assumptions.assumeTrue(process.exitValue() != 99 && !out.contains("unshare: "),
                "needs root to mount a full and a read-only file system in a private namespace: " + out);
        assertEquals("full 1\nextract 1\nread-only 1\n", out, "each fails, and leaves nothing in its directory");
        assertEquals("kmodpack: " + full.resolve("x.kpack") + ": No space left on device; nothing was written (free "
                + "space or write elsewhere with -o)\n", Files.readString(work.resolve("full.err")));
        assertEquals("kmodpack: " + full.resolve("tree") + ": the files need " + Sizes.human(treeBytes) + " and the "
                + "file system has 4.1 kB free; free space or extract elsewhere\n",
                Files.readString(work.resolve("extract.err")));
        assertEquals("kmodpack: " + readOnly.resolve("x.kpack") + ": cannot create files in " + readOnly
                + " (permission denied or a read-only file system); write somewhere else with -o\n",
                Files.readString(work.resolve("read-only.err")));
    }

    @Test
    void keygenAndCertSayWhatIsWrongWithTheirFiles() throws IOException {
        Path key = output.resolve("no/dir/release.key");
        fails(1, "kmodpack: " + key + ": directory " + key.getParent() + " does not exist; create it first (mkdir -p "
                + key.getParent() + ")\n", "keygen", "-o", output.resolve("no/dir/release").toString());
        fails(1, "kmodpack: " + basic.bundle() + ": not a kernel image (no bzImage or zboot header, no compression the "
                + "kernel uses, not ELF); give /boot/vmlinuz-KVER\n", "cert", "--from-vmlinuz",
                basic.bundle().toString(),
                "-o", output.resolve("certs.pem").toString());
    }

    @Test
    void outputThatCannotBeWrittenFailsTheCommand() throws IOException, InterruptedException {
        for (List<String> args : List.of(List.of("cat", basic.bundle().toString(), "modules.dep"),
                List.of("ls", basic.bundle().toString()), List.of("info", basic.bundle().toString()),
                List.of("--help"))) {
            Run run = launcher(new File("/dev/full"), args);
            assertEquals("kmodpack: write error: No space left on device\n", run.err(), args.toString());
            assertEquals(1, run.exit(), args.toString());
        }
    }

    /** The launcher with stdout sent to {@code stdout}: how a user's shell redirects it. */
    static Run launcher(File stdout, List<String> args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(Launcher.SYSTEM.resolve("kmodpack").toString()));
        command.addAll(args);
        ProcessBuilder builder = new ProcessBuilder(command).redirectOutput(stdout);
        builder.environment().put("KMODPACK_CLASSPATH", Launcher.classPath());
        builder.environment().put("KMODPACK_CDS_ARCHIVE", "");
        Process process = builder.start();
        process.getOutputStream().close();
        String err = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(120, java.util.concurrent.TimeUnit.SECONDS), command.toString());
        return new Run(process.exitValue(), "", err, new byte[0]);
    }

    @Test
    void jsonErrorsAreJsonToo() {
        Run missing = run("info", "--json", work.resolve("missing.kpack").toString());
        assertEquals(1, missing.exit());
        assertEquals("{\"error\":\"" + work.resolve("missing.kpack") + ": no such file or directory\","
                + "\"exit_status\":1}\n", missing.out());
        Run usage = run("info", "--json", basic.bundle().toString(), "extra");
        assertEquals(2, usage.exit());
        assertEquals("{\"error\":\"unexpected argument 'extra'\",\"exit_status\":2}\n", usage.out());
    }

    @Test
    void absentPathsInTheBundleAreNamed() throws IOException {
        fails(1, "kmodpack: " + basic.bundle() + ": /etc/passwd: not in the bundle, which holds /lib/modules/"
                + SyntheticKernel.BASIC.kernelVersion() + "; give a path under it or relative to it\n",
                "ls", basic.bundle().toString(), "/etc/passwd");
        assertFalse(run("ls", basic.bundle().toString(), "/lib/modules/" + SyntheticKernel.BASIC.kernelVersion()
                + "/kernel").out().isEmpty());
    }
}
