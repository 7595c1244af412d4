package org.kmodpack.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.kmodpack.testkernels.SyntheticKernel;
import org.kmodpack.testkernels.SyntheticKernels;

/**
 * The command on a real terminal (a pseudo-terminal made by util-linux's script, its width set with stty): help
 * fitted to the width with examples never wrapped, and the progress bar drawn only where stderr is the
 * terminal, fitted to it and redrawn in place.
 */
class TerminalTest {
    @TempDir
    static Path work;
    static Path tree;

    @BeforeAll
    static void tree() throws IOException {
        tree = SyntheticKernels.moduleDir(SyntheticKernel.BASIC);
    }

    /** {@code shell} (a sh command line where $KMODPACK is the launcher) on a terminal of {@code columns}. */
    static String onTerminal(int columns, String shell) throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder("script", "-q", "-e", "-c", "stty cols " + columns + " rows 40; "
                + shell, "/dev/null");
        builder.environment().put("KMODPACK", Launcher.SYSTEM.resolve("kmodpack").toString());
        builder.environment().put("KMODPACK_CLASSPATH", Launcher.classPath());
        builder.environment().put("KMODPACK_CDS_ARCHIVE", "");
        builder.environment().remove("COLUMNS");
        builder.redirectErrorStream(true);
        builder.directory(work.toFile());
        Process process = builder.start();
        process.getOutputStream().close();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(120, TimeUnit.SECONDS), shell);
        assertEquals(0, process.exitValue(), output);
        // Colours are picocli's on a terminal; widths are counted in what shows.
        return output.replace("\r\n", "\n").replaceAll("\u001B\\[[0-9;]*m", "");
    }

    @Test
    void helpFitsTheTerminalAndExamplesAreNeverWrapped() throws IOException, InterruptedException {
        String wide = onTerminal(120, "\"$KMODPACK\" pack --help");
        assertTrue(wide.lines().anyMatch(line -> line.length() > 80), "help uses a 120-column terminal:\n" + wide);
        assertTrue(wide.lines().allMatch(line -> line.length() <= 120 || line.startsWith("  kmodpack ")), wide);
        String narrow = onTerminal(60, "\"$KMODPACK\" modprobe --help");
        for (String line : narrow.lines().toList()) {
            assertTrue(line.length() <= 60 || line.startsWith("  kmodpack "), "wider than 60: " + line);
        }
        assertTrue(narrow.contains("\n  kmodpack modprobe modules.kpack -R "
                + "pci:v00008086d000010D3sv00008086sd0000A01Fbc02sc00i00\n"), narrow);
        assertTrue(narrow.contains("-C, --config FILE|DIR"), "option values as users type them:\n" + narrow);
        assertFalse(narrow.contains("--config=FILE|DIR"), narrow);
    }

    @Test
    void progressOnlyWhereStderrIsTheTerminalFittedAndInPlace() throws IOException, InterruptedException {
        String shown = onTerminal(60, "\"$KMODPACK\" pack " + tree + " -o shown.kpack --block-size 4K --threads 1 "
                + ">summary.txt");
        assertTrue(shown.contains("\r"), "a bar on the terminal: " + shown);
        for (String frame : shown.split("\r")) {
            String text = frame.replace("\033[K", "");
            assertTrue(text.length() < 60, "frame wider than the terminal: '" + text + "'");
            assertFalse(text.contains("\n"), "frames are redrawn in place, not scrolled: '" + text + "'");
        }
        assertTrue(Files.readString(work.resolve("summary.txt")).contains(" files, "));

        String logged = onTerminal(60, "\"$KMODPACK\" pack " + tree + " -o logged.kpack 2>pack.log >/dev/null");
        assertEquals("", logged);
        assertEquals("", Files.readString(work.resolve("pack.log")), "no frames in a log file");

        String quiet = onTerminal(60, "\"$KMODPACK\" pack " + tree + " -o quiet.kpack --quiet");
        assertEquals("", quiet, "--quiet prints nothing");
        assertTrue(Files.size(work.resolve("quiet.kpack")) > 0);

        String forced = onTerminal(60, "\"$KMODPACK\" pack " + tree + " -o forced.kpack --progress 2>forced.log "
                + ">/dev/null");
        assertEquals("", forced);
        assertTrue(Files.readString(work.resolve("forced.log")).contains("files"), "--progress draws anyway");
        String none = onTerminal(60, "\"$KMODPACK\" pack " + tree + " -o none.kpack --no-progress >/dev/null");
        assertEquals("", none, "--no-progress draws nothing on the terminal");
    }

    @Test
    void extractVerifyAndInitramfsDrawPacksBarAndKeepQuiet() throws IOException, InterruptedException {
        String bundle = BasicBundle.pack(work.resolve("bar.kpack"), "--block-size", "4K").bundle().toString();
        String extract = "\"$KMODPACK\" extract " + bundle + " extracted";
        String verify = "\"$KMODPACK\" verify " + bundle + " --allow-unsigned";
        String initramfs = "\"$KMODPACK\" initramfs " + bundle + " chain_a -o chain.cpio --allow-unsigned";
        for (String command : new String[] {extract, verify, initramfs}) {
            String counting = command.equals(verify) ? "blocks" : "files";
            String shown = onTerminal(60, command + " >/dev/null");
            assertTrue(shown.contains("\r") && shown.contains(" " + counting), "a bar on the terminal: " + shown);
            for (String frame : shown.split("\r")) {
                assertTrue(frame.replace("\033[K", "").length() < 60, "frame wider than the terminal: " + frame);
            }
            assertEquals("", onTerminal(60, command + " --quiet"), "--quiet prints nothing: " + command);
            assertEquals("", onTerminal(60, command + " 2>bar.log >/dev/null"));
            assertEquals("", Files.readString(work.resolve("bar.log")), "no frames in a log file: " + command);
        }
    }
}
