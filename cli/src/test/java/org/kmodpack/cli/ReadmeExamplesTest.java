package org.kmodpack.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.kmodpack.fuse.MountTable;
import org.kmodpack.testkernels.Commands;
import org.kmodpack.testkernels.DebianKernels;
import org.kmodpack.testkernels.DistributionRegistry;
import org.kmodpack.testkernels.ModuleSigner;
import org.kmodpack.testkernels.Nginx;
import org.kmodpack.testkernels.TestCa;

/**
 * The README's example commands run as written, through the launcher as a user runs them: every command line of
 * its shell blocks that is not a synopsis ([optional] parts, PLACEHOLDERS, a|b choices). They run in a private
 * mount namespace that looks like the host the README describes: Debian's cloud kernel at
 * /lib/modules/6.1.0-28-amd64 with its vmlinuz at /boot/vmlinuz-6.1.0-28-amd64, and in the working directory the
 * launcher as ./kmodpack, the checkout's test-kernels/, a kernel build's signing key as
 * linux/certs/signing_key.pem and the bundle the examples read, modules-6.1.0-28-amd64.kpack. The namespace's
 * /etc/hosts names two servers on loopback addresses, port 443: boot.example, nginx with a certificate of a
 * private CA (the examples' private-ca.pem), and registry.example, docker-registry with a certificate of a CA
 * that the JDK's system trust store holds there, as a public CA would be. /run and /var/cache are the
 * namespace's own, so the mount's log and the block cache are left nowhere. The examples that name a remote host
 * run after the others, once the bundle they made is signed with their release.key and published on
 * boot.example: they read what the user made. Each must exit 0 with nothing on stderr, and what it did is checked.
 */
class ReadmeExamplesTest {
    private static final String KVER = "6.1.0-28-amd64";
    private static final String BUNDLE = "modules-" + KVER + ".kpack";
    private static final String URL = "https://boot.example/" + BUNDLE;
    private static final String REFERENCE = "oci://registry.example/kernels/modules:" + KVER;
    private static final Pattern PLACEHOLDER = Pattern.compile("(?<![\\w$.-])[A-Z][A-Z_]{2,}(?![\\w])");

    @TempDir
    Path work;
    Path home;
    /** The kernel version of Debian's cloud package, which the README's first example packs. */
    String packageVersion;

    /** What an example printed and did; {@code run} is the example's own output. */
    @FunctionalInterface
    private interface Check {
        void check(CliTest.Run run) throws IOException;
    }

    /**
     * An example's check, the shell lines that run after it in its namespace (for what only it sees), and what it
     * writes on stderr (nothing but for a note).
     */
    private record Expectation(String after, String err, Check check) {
        Expectation(String after, Check check) {
            this(after, "", check);
        }
    }

    @Test
    void everyExampleRunsAsWritten() throws IOException, InterruptedException {
        List<String> examples = examples();
        Path moduleDir = DebianKernels.moduleDir("cloud");
        long installedEntries;
        try (var entries = Files.list(moduleDir)) {
            installedEntries = entries.count();
        }
        Map<String, Expectation> expectations = expectations(installedEntries);
        // The namespace makes /lib/modules where the host has none (a machine without a kernel installed): the
        // directory is made on the host's file system, empty, and removed at the end.
        Path moduleRoot = Path.of("/lib/modules");
        boolean hostHasModuleRoot = Files.exists(moduleRoot, LinkOption.NOFOLLOW_LINKS);
        assertEquals(expectations.keySet().stream().sorted().toList(), examples.stream().sorted().toList(),
                "every README example has its check here, and every check its example");
        CliTest.Run namespace = inNamespace("true", work, work, Map.of());
        Assumptions.assumeTrue(namespace.exit() == 0,
                "needs root to mount the README's host in a private namespace: " + namespace.err());

        packageVersion = moduleDir.getFileName().toString();
        Path vmlinuz = moduleDir.getParent().getParent().getParent().resolve("boot/vmlinuz-"
                + moduleDir.getFileName());
        Path bin = Files.createDirectories(work.resolve("bin"));
        Files.createSymbolicLink(bin.resolve("kmodpack"), Launcher.SYSTEM.resolve("kmodpack"));
        home = Files.createDirectories(work.resolve("home"));
        Files.createSymbolicLink(home.resolve("kmodpack"), Launcher.SYSTEM.resolve("kmodpack"));
        Files.createSymbolicLink(home.resolve("test-kernels"), Launcher.CHECKOUT.resolve("test-kernels"));
        ModuleSigner.kernelKey(home.resolve("linux/certs"));
        CliTest.Run pack = CliTest.run("pack", moduleDir.toString(), "-o", home.resolve(BUNDLE).toString(),
                "--quiet");
        assertEquals(0, pack.exit(), pack.err());

        // Two random addresses of 127/8 (all of it is loopback), so that runs side by side each have port 443.
        SecureRandom random = new SecureRandom();
        String net = "127." + (1 + random.nextInt(254)) + "." + random.nextInt(256) + ".";
        String bootAddress = net + (1 + random.nextInt(126));
        String registryAddress = net + (128 + random.nextInt(126));
        Path hosts = work.resolve("hosts");
        Files.writeString(hosts, "127.0.0.1 localhost\n::1 localhost\n" + bootAddress + " boot.example\n"
                + registryAddress + " registry.example\n");
        TestCa privateCa = TestCa.create(work.resolve("private-ca"));
        Files.copy(privateCa.certificate(), home.resolve("private-ca.pem"));
        TestCa publicCa = TestCa.create(work.resolve("public-ca"));
        Path cacerts = work.resolve("cacerts");
        Files.copy(Path.of("/etc/ssl/certs/java/cacerts"), cacerts);
        Commands.check(work, List.of(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-importcert", "-noprompt", "-alias", "kmodpack-readme-public-ca", "-file",
                publicCa.certificate().toString(), "-keystore", cacerts.toString(), "-storepass", "changeit"));
        String setUp = "set -euo pipefail; mkdir -p /lib/modules /boot; mount -t tmpfs readme /lib/modules; "
                + "mkdir /lib/modules/" + KVER + "; mount --bind \"$TREE\" /lib/modules/" + KVER + "; "
                + "mount -t tmpfs readme /boot; touch /boot/vmlinuz-" + KVER + "; "
                + "mount --bind \"$VMLINUZ\" /boot/vmlinuz-" + KVER + "; "
                + "mount -t tmpfs readme /run; mount -t tmpfs readme /var/cache; mount --bind \"$HOSTS\" /etc/hosts; "
                + "java=$(readlink -f \"$(command -v \"${JAVA_HOME:+$JAVA_HOME/bin/}java\")\"); "
                + "mount --bind \"$CACERTS\" \"$(readlink -f \"${java%/bin/java}/lib/security/cacerts\")\"\n";
        Map<String, String> environment = Map.of("TREE", moduleDir.toString(), "VMLINUZ", vmlinuz.toString(),
                "HOSTS", hosts.toString(), "CACERTS", cacerts.toString());

        Path www = Files.createDirectories(work.resolve("www"));
        try (Nginx boot = Nginx.https(www, work.resolve("nginx"), new InetSocketAddress(bootAddress, 443),
                privateCa, privateCa.issue("boot", List.of("DNS:boot.example")));
                DistributionRegistry registry = DistributionRegistry.start(work.resolve("registry"),
                        new DistributionRegistry.Open(), new InetSocketAddress(registryAddress, 443),
                        Optional.of(publicCa.issue("registry", List.of("DNS:registry.example"))))) {
            for (String example : examples.stream().filter(e -> !e.contains("://")).toList()) {
                check(example, expectations.get(example), setUp, bin, environment);
            }
            // What the user made, signed with their release key too, is what boot.example serves.
            CliTest.Run sign = CliTest.run("sign", home.resolve(BUNDLE).toString(), "--key",
                    home.resolve("release.key").toString());
            assertEquals(0, sign.exit(), sign.err());
            Files.copy(home.resolve(BUNDLE), www.resolve(BUNDLE));
            for (String example : examples.stream().filter(e -> e.contains("://")).toList()) {
                check(example, expectations.get(example), setUp, bin, environment);
            }
        } finally {
            if (!hostHasModuleRoot) {
                Files.deleteIfExists(moduleRoot);
            }
            // Links out of the temporary directory are left for JUnit to warn about otherwise.
            for (Path link : List.of(bin.resolve("kmodpack"), home.resolve("kmodpack"),
                    home.resolve("test-kernels"))) {
                Files.deleteIfExists(link);
            }
        }
        assertTrue(processesNaming(URL).isEmpty(), "the mount daemon is gone: " + processesNaming(URL));
    }

    /** Runs {@code example} after {@code setUp} in a namespace of its own, then what it expects. */
    private void check(String example, Expectation expected, String setUp, Path bin, Map<String, String> environment)
            throws IOException, InterruptedException {
        CliTest.Run run = inNamespace(setUp + example + "\n" + expected.after(), home, bin, environment);
        assertEquals(0, run.exit(), example + "\n" + run.out() + run.err());
        assertEquals(expected.err(), run.err(), example);
        expected.check().check(run);
    }

    /** Each example's check, keyed by the README's line. */
    private Map<String, Expectation> expectations(long installedEntries) throws IOException {
        Map<String, Expectation> expected = new LinkedHashMap<>();
        expected.put("./kmodpack pack \"$(test-kernels/fetch-debian-kernel --deb cloud)\"", new Expectation("",
                run -> {
                    String bundle = "modules-" + packageVersion + ".kpack";
                    // What was read from the package, then the summary (and what it says of the kernel's symbols).
                    assertTrue(run.out().contains(" from the archive, "), run.out());
                    assertTrue(run.out().lines().anyMatch(line -> line.startsWith(bundle + ": ")
                            && line.contains(" files, ") && line.contains("kernel " + packageVersion)), run.out());
                    assertTrue(assertSucceeds("info", home.resolve(bundle).toString())
                            .contains("kernel version:  " + packageVersion));
                }));
        expected.put("kmodpack keygen -o release", new Expectation("", run -> {
            assertTrue(run.out().startsWith("release.key, release.pub: ed25519 key "), run.out());
            // "release.key (PKCS#8 PEM, 0600), release.pub"
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(
                    home.resolve("release.key"))));
            assertTrue(Files.readString(home.resolve("release.key")).startsWith("-----BEGIN PRIVATE KEY-----\n"));
            assertTrue(Files.readString(home.resolve("release.pub")).startsWith("-----BEGIN PUBLIC KEY-----\n"));
        }));
        expected.put("kmodpack pack /lib/modules/" + KVER + " --sign release.key", new Expectation("", run -> {
            assertTrue(run.out().startsWith(BUNDLE + ": ") && run.out().contains("kernel " + KVER), run.out());
            assertSucceeds("verify", home.resolve(BUNDLE).toString(), "--trust", home.resolve("release.pub")
                    .toString());
        }));
        expected.put("kmodpack pack /lib/modules/" + KVER + " --sign linux/certs/signing_key.pem --serial 42 "
                + "--expires 2027-06-30", new Expectation("", run -> {
                    assertTrue(run.out().startsWith(BUNDLE + ": "), run.out());
                    String info = assertSucceeds("info", "--json", home.resolve(BUNDLE).toString());
                    assertTrue(info.contains("\"serial\":42,\"expires\":\"2027-06-30T00:00:00Z\""), info);
                    assertSucceeds("verify", home.resolve(BUNDLE).toString(), "--trust",
                            home.resolve("linux/certs/signing_key.x509").toString());
                }));
        expected.put("kmodpack cert --from-vmlinuz /boot/vmlinuz-" + KVER + " -o kernel-certs.pem",
                new Expectation("", run -> {
                    // "every X.509 certificate in it, PEM": Debian's kernel carries its signing certificates.
                    assertTrue(run.out().startsWith("kernel-certs.pem: "), run.out());
                    assertTrue(Files.readString(home.resolve("kernel-certs.pem"))
                            .startsWith("-----BEGIN CERTIFICATE-----\n"));
                }));
        expected.put("kmodpack verify " + BUNDLE + " --modules --module-cert kernel-certs.pem",
                new Expectation("", run -> assertTrue(Pattern.compile(
                        "(?m)^modules: +(\\d+) of \\1 verified against kernel-certs.pem; 0 unsigned, 0 failed$")
                        .matcher(run.out()).find(), run.out())));
        expected.put("kmodpack info " + URL + " --ca private-ca.pem", new Expectation("", run -> {
            String local = assertSucceeds("info", home.resolve(BUNDLE).toString());
            assertEquals(local.replace(home.resolve(BUNDLE).toString(), URL), run.out());
        }));
        expected.put("kmodpack mount " + URL + " --ca private-ca.pem --trust release.pub", new Expectation(
                "trap 'kmodpack umount /lib/modules/" + KVER + "' EXIT\n"
                        + "findmnt --noheadings --output FSTYPE --mountpoint /lib/modules/" + KVER + "\n"
                        + "cmp /lib/modules/" + KVER + "/modules.dep \"$TREE/modules.dep\"\n"
                        + "cmp /lib/modules/" + KVER + "/kernel/fs/btrfs/btrfs.ko \"$TREE/kernel/fs/btrfs/btrfs.ko\"\n",
                // The README's host has the kernel's modules installed where the bundle mounts.
                "kmodpack: note: the mount hides the " + installedEntries + " entries now in "
                        + Path.of("/lib").toRealPath().resolve("modules").resolve(KVER) + " until it is unmounted\n",
                run -> assertTrue(run.out().lines().toList().contains(MountTable.TYPE), "the tree at /lib/modules/"
                        + KVER + " is the mount: " + run.out())));
        expected.put("kmodpack push " + BUNDLE + " " + REFERENCE, new Expectation("",
                run -> assertTrue(run.out().startsWith(BUNDLE + ": pushed to " + REFERENCE + " (manifest sha256:"),
                        run.out())));
        expected.put("kmodpack modprobe " + REFERENCE + " -D btrfs", new Expectation("", run -> {
            assertTrue(run.out().startsWith("insmod /lib/modules/" + KVER + "/kernel/"), run.out());
            assertEquals(assertSucceeds("modprobe", home.resolve(BUNDLE).toString(), "-D", "btrfs"), run.out());
        }));
        expected.put("kmodpack pull " + REFERENCE + " -o modules.kpack --trust release.pub",
                new Expectation("", run -> {
                    assertTrue(run.out().contains("every block matches its SHA-256"), run.out());
                    assertArrayEquals(Files.readAllBytes(home.resolve(BUNDLE)),
                            Files.readAllBytes(home.resolve("modules.kpack")));
                }));
        return expected;
    }

    /** Runs a command on the examples' files (outside the namespace); returns its output. */
    private static String assertSucceeds(String... args) {
        CliTest.Run run = CliTest.run(args);
        assertEquals(0, run.exit(), String.join(" ", args) + ": " + run.err());
        return run.out();
    }

    /** The README's example command lines that name no placeholder, in README order. */
    static List<String> examples() throws IOException {
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
            if (!synopsis) {
                examples.add(command);
            }
        }
        return examples;
    }

    /** The processes whose command line holds {@code text}. */
    private static List<String> processesNaming(String text) throws IOException {
        List<String> found = new ArrayList<>();
        try (var processes = Files.newDirectoryStream(Path.of("/proc"), "[0-9]*")) {
            for (Path process : processes) {
                try {
                    String commandLine = new String(Files.readAllBytes(process.resolve("cmdline")),
                            StandardCharsets.UTF_8).replace('\0', ' ');
                    if (commandLine.contains(text)) {
                        found.add(process.getFileName() + ": " + commandLine);
                    }
                } catch (IOException gone) {
                    // The process ended while it was listed.
                }
            }
        }
        return found;
    }

    /** {@code script} by bash in a private mount namespace, in {@code directory}, with {@code bin} on PATH. */
    private CliTest.Run inNamespace(String script, Path directory, Path bin, Map<String, String> environment)
            throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder("unshare", "--mount", "--propagation", "private", "bash", "-c",
                script);
        builder.directory(directory.toFile());
        builder.environment().putAll(environment);
        builder.environment().put("PATH", bin + ":" + System.getenv("PATH"));
        builder.environment().put("KMODPACK_CLASSPATH", Launcher.classPath());
        builder.environment().put("KMODPACK_CDS_ARCHIVE", "");
        builder.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        Path out = Files.createTempFile(work, "out", ".txt");
        Path err = Files.createTempFile(work, "err", ".txt");
        builder.redirectOutput(out.toFile()).redirectError(err.toFile());
        Process process = builder.start();
        if (!process.waitFor(300, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IOException(script + " did not finish within 300 s");
        }
        String stdout = Files.readString(out);
        return new CliTest.Run(process.exitValue(), stdout, Files.readString(err),
                stdout.getBytes(StandardCharsets.UTF_8));
    }
}
