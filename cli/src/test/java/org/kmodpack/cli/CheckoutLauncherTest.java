package org.kmodpack.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The checkout's ./kmodpack rebuilds the jar when a main source or pom of any module the jar is built from is
 * newer than the jar (cli and every module cli/pom.xml depends on outside test scope), and only then: run on a copy
 * of the script in a checkout of empty files, with a Maven that records its arguments and a launcher that says it
 * ran.
 */
class CheckoutLauncherTest {
    private static final Pattern DEPENDENCY = Pattern.compile(
            "<dependency>\\s*<groupId>org\\.kmodpack</groupId>\\s*<artifactId>kmodpack-([a-z-]+)</artifactId>"
                    + "\\s*(<scope>test</scope>\\s*)?</dependency>");
    private static final FileTime BUILT = FileTime.from(1_800_000_000L, TimeUnit.SECONDS);
    private static final FileTime BEFORE = FileTime.from(1_700_000_000L, TimeUnit.SECONDS);
    private static final FileTime AFTER = FileTime.from(1_900_000_000L, TimeUnit.SECONDS);

    @TempDir
    Path work;

    @Test
    void aChangedMainSourceOfAnyModuleOfTheJarRebuildsItAndNothingElseDoes() throws IOException,
            InterruptedException {
        List<String> modules = jarModules();
        assertTrue(modules.containsAll(List.of("reader", "kmod", "packer", "fuse-mount", "cli")), modules.toString());
        Path checkout = checkout(modules);

        CliTest.Run upToDate = launch(checkout);
        assertEquals("ran --version\n", upToDate.out());
        assertEquals("", upToDate.err(), "nothing newer than the jar: no build");

        for (String module : modules) {
            Path test = Files.createDirectories(checkout.resolve(module + "/src/test/java")).resolve("ATest.java");
            Files.writeString(test, "");
            Files.setLastModifiedTime(test, AFTER);
            assertEquals("", launch(checkout).err(), "a test of " + module + " is not in the jar");

            Path source = checkout.resolve(module + "/src/main/java/A.java");
            Files.setLastModifiedTime(source, AFTER);
            CliTest.Run changed = launch(checkout);
            assertEquals("kmodpack: building " + checkout.resolve("cli/target/kmodpack.jar")
                    + " (tests skipped; once per change of the sources)\n", changed.err(), module);
            assertEquals("-q -B -Dstyle.color=never -DskipTests -pl cli -am package\n",
                    Files.readString(checkout.resolve("mvn.log")), module);
            assertEquals("ran --version\n", changed.out(), module);
            Files.delete(checkout.resolve("mvn.log"));
            Files.setLastModifiedTime(source, BEFORE);
        }
    }

    /** cli and the modules cli/pom.xml depends on outside test scope. */
    private static List<String> jarModules() throws IOException {
        List<String> modules = new ArrayList<>();
        Matcher dependency = DEPENDENCY.matcher(Files.readString(Launcher.CHECKOUT.resolve("cli/pom.xml")));
        while (dependency.find()) {
            if (dependency.group(2) == null) {
                modules.add(dependency.group(1));
            }
        }
        modules.add("cli");
        return modules;
    }

    /** The script, a jar built at {@link #BUILT}, each module's pom and one main source from before it. */
    private Path checkout(List<String> modules) throws IOException {
        Path checkout = Files.createDirectories(work.resolve("checkout"));
        Files.copy(Launcher.CHECKOUT.resolve("kmodpack"), checkout.resolve("kmodpack"));
        List<Path> old = new ArrayList<>(List.of(Files.writeString(checkout.resolve("pom.xml"), "")));
        for (String module : modules) {
            old.add(Files.writeString(Files.createDirectories(checkout.resolve(module)).resolve("pom.xml"), ""));
            old.add(Files.writeString(Files.createDirectories(checkout.resolve(module + "/src/main/java"))
                    .resolve("A.java"), ""));
        }
        for (Path file : old) {
            Files.setLastModifiedTime(file, BEFORE);
        }
        Path jar = Files.writeString(Files.createDirectories(checkout.resolve("cli/target")).resolve("kmodpack.jar"),
                "");
        Files.setLastModifiedTime(jar, BUILT);
        executable(Files.createDirectories(checkout.resolve("fuse-mount/system")).resolve("kmodpack"),
                "#!/bin/sh\necho ran \"$@\"\n");
        executable(Files.createDirectories(work.resolve("bin")).resolve("mvn"),
                "#!/bin/sh\necho \"$@\" >> \"$PWD/mvn.log\"\n");
        return checkout;
    }

    private static void executable(Path file, String script) throws IOException {
        Files.writeString(file, script);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    private CliTest.Run launch(Path checkout) throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder(checkout.resolve("kmodpack").toString(), "--version");
        builder.environment().put("PATH", work.resolve("bin") + ":" + System.getenv("PATH"));
        Path out = work.resolve("out.txt");
        Path err = work.resolve("err.txt");
        builder.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        builder.redirectOutput(out.toFile()).redirectError(err.toFile());
        Process process = builder.start();
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), "the launcher finishes");
        assertEquals(0, process.exitValue(), Files.readString(err));
        String stdout = Files.readString(out);
        return new CliTest.Run(0, stdout, Files.readString(err), stdout.getBytes());
    }
}
