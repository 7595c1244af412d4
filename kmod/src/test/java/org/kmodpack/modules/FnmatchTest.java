package org.kmodpack.modules;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.kmodpack.testkernels.TestData;

/** {@link Fnmatch} against glibc's fnmatch(3) with flags 0 in the C locale, compiled and run here as the oracle. */
class FnmatchTest {
    private static final String ORACLE = """
            #include <fnmatch.h>
            #include <stdio.h>
            #include <stdlib.h>
            #include <string.h>
            int main(void) {
                static char buf[1 << 20];
                size_t n = fread(buf, 1, sizeof buf, stdin);
                size_t i = 0;
                while (i < n) {
                    const char *pattern = buf + i; i += strlen(pattern) + 1;
                    const char *string = buf + i; i += strlen(string) + 1;
                    putchar(fnmatch(pattern, string, 0) == 0 ? '1' : '0');
                }
                return 0;
            }
            """;

    @TempDir
    Path work;

    @Test
    void agreesWithGlibc() throws IOException, InterruptedException {
        List<String> patterns = List.of("", "*", "?", "a*", "*a", "a?c", "a*c", "**", "a**c", "*.ko",
                "[abc]", "[!abc]", "[^abc]", "[a-c]", "[c-a]", "[]]", "[]a]", "[!]]", "[a-]", "[-a]", "[a\\]]",
                "[", "a[", "[a", "[]", "[!]", "\\*", "\\?", "\\[", "\\", "a\\", "\\a", "[[:digit:]]", "[[:alpha:]]*",
                "[![:digit:]]", "[[:upper:][:digit:]]", "[[:nosuch:]]", "[[:digit:]", "pci:v00008086d*sv*sd*bc*sc*i*",
                "usb:v*p*d*dc*dsc*dp*ic09isc*ip*in*", "of:N*T*Cfsl,mpc5200-psc-ac97C*", "acpi*:PNP0C0[AB]:*",
                "dmi*:rvn[Ll][Ee][Nn][Oo][Vv][Oo]:*", "x[0-9][0-9]*", "*[.]*", "a/b*", "*/*", ".*", "?a", "*[a-]",
                "[\\!]", "[a\\-z]", "[%--]", "a*b*c*d", "\u00e9*", "[\u00e9]");
        List<String> strings = List.of("", "a", "b", "c", "abc", "ac", "aXc", "a/c", ".a", "x.ko", "]", "-",
                "!", "^", "\\", "*", "?", "[", "a[", "[a", "[]", "5", "Z", "z", "5x", "x55", "x5", "a.b",
                "pci:v00008086d000010D3sv00001234sd00005678bc02sc00i00",
                "usb:v1D6Bp0002d0601dc09dsc00dp00ic09isc00ip00in00", "of:NacT<NULL>Cfsl,mpc5200-psc-ac97",
                "acpi:PNP0C0A:", "acpipnp:PNP0C0B:x", "dmi:bvnX:rvnLENOVO:rn", "dmi:rvnLeNoVo:", "a/b/c",
                "abcd", "aXbYcZd", "%", "\u00e9t\u00e9", "\u00e9");
        List<String[]> cases = new ArrayList<>();
        for (String p : patterns) {
            for (String s : strings) {
                cases.add(new String[] {p, s});
            }
        }
        String verdicts = glibc(cases);
        List<String> disagreements = new ArrayList<>();
        for (int i = 0; i < cases.size(); i++) {
            String[] c = cases.get(i);
            boolean expected = verdicts.charAt(i) == '1';
            if (expected != Fnmatch.matches(c[0], c[1])) {
                disagreements.add("fnmatch(\"" + c[0] + "\", \"" + c[1] + "\", 0) is " + (expected ? 0 : 1)
                        + " in glibc");
            }
        }
        assertEquals(List.of(), disagreements);
    }

    private String glibc(List<String[]> cases) throws IOException, InterruptedException {
        Path source = work.resolve("fnmatch.c");
        Path binary = work.resolve("fnmatch");
        Files.writeString(source, ORACLE);
        Process compile;
        try {
            compile = new ProcessBuilder("gcc", "-O1", "-o", binary.toString(), source.toString())
                    .redirectErrorStream(true).start();
        } catch (IOException noCompiler) {
            TestData.unavailable("gcc is needed to run glibc's fnmatch as the oracle: apt-get install gcc");
            throw noCompiler;
        }
        String log = new String(compile.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, compile.waitFor(), log);
        ByteArrayOutputStream input = new ByteArrayOutputStream();
        for (String[] c : cases) {
            input.writeBytes(c[0].getBytes(StandardCharsets.UTF_8));
            input.write(0);
            input.writeBytes(c[1].getBytes(StandardCharsets.UTF_8));
            input.write(0);
        }
        ProcessBuilder run = new ProcessBuilder(binary.toString());
        run.environment().put("LC_ALL", "C");
        Process oracle = run.start();
        oracle.getOutputStream().write(input.toByteArray());
        oracle.getOutputStream().close();
        String out = new String(oracle.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
        assertEquals(0, oracle.waitFor());
        assertEquals(cases.size(), out.length());
        return out;
    }
}
