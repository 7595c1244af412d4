package org.kmodpack.boottest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.kmodpack.testkernels.ProcessResult;

/**
 * fuse-mount/system/install --root and uninstall --root on an empty root: the completion that bash itself
 * loads and answers with, man pages that man renders, and nothing of kmodpack left after uninstall but the
 * administrator's trust store.
 */
class InstallTest {
    @TempDir
    Path root;

    @Test
    void installCompletesAndRendersThenUninstallLeavesNothing() throws IOException {
        Files.createDirectories(root.resolve("etc"));
        Host.check(List.of(Host.CHECKOUT.resolve("fuse-mount/system/install").toString(), "--root", root.toString()));
        Path completion = root.resolve("usr/local/share/bash-completion/completions/kmodpack");
        assertTrue(Files.isRegularFile(root.resolve("usr/local/share/zsh/site-functions/_kmodpack")));

        ProcessResult bash = Host.check(List.of("bash", "-c", "source " + completion + " && complete -p kmodpack"
                + " && COMP_WORDS=(kmodpack pa) COMP_CWORD=1 COMP_LINE='kmodpack pa' COMP_POINT=11"
                + " && _complete_kmodpack && echo \"commands: ${COMPREPLY[*]}\""
                // bash's own compgen calls the function as programmable completion does (its warning about -F dropped).
                + " && echo \"compgen: $(compgen -F _complete_kmodpack -- pa 2>/dev/null)\""
                + " && COMP_WORDS=(kmodpack pack --co) COMP_CWORD=2 && _complete_kmodpack"
                + " && echo \"options: ${COMPREPLY[*]}\""
                + " && COMP_WORDS=(kmodpack pack --codec '') COMP_CWORD=3 && _complete_kmodpack"
                + " && echo \"codecs: ${COMPREPLY[*]}\""));
        List<String> lines = bash.stdout().lines().toList();
        assertEquals("complete -o default -F _complete_kmodpack kmodpack", lines.get(0), bash.stdout());
        assertTrue(lines.contains("commands: pack"), bash.stdout());
        assertTrue(lines.contains("compgen: pack"), bash.stdout());
        assertTrue(lines.contains("options: --codec"), bash.stdout());
        assertTrue(lines.stream().anyMatch(l -> l.startsWith("codecs: ") && l.contains("zstd") && l.contains("xz")
                && l.contains("none")), "the codecs in the help's words: " + bash.stdout());

        Path zshFunction = root.resolve("usr/local/share/zsh/site-functions/_kmodpack");
        Host.check(List.of("zsh", "-n", zshFunction.toString()));
        ProcessResult zsh = Host.check(List.of("zsh", "-fc", "autoload -U +X compinit && compinit -u"
                + " && autoload -U +X bashcompinit && bashcompinit && source " + completion
                + " && print -r -- \"zsh: ${_comps[kmodpack]}\""));
        assertTrue(zsh.stdout().contains("zsh: _bash_complete") && zsh.stdout().contains("_complete_kmodpack"),
                zsh.stdout() + zsh.stderr());

        ProcessResult man = Host.check(List.of("sh", "-c", "MANWIDTH=100 man -l "
                + root.resolve("usr/local/share/man/man1/kmodpack-pack.1") + " | col -b"));
        assertTrue(man.stdout().contains("kmodpack-pack - Pack a module tree into one bundle file."), man.stdout());
        assertTrue(man.stdout().contains("--block-size SIZE"), man.stdout());
        assertTrue(man.stdout().contains("kmodpack pack /lib/modules/$(uname -r) --level max"), man.stdout());
        ProcessResult index = Host.check(List.of("sh", "-c", "man -l " + root.resolve("usr/local/share/man/man1/kmodpack.1")
                + " | col -b"));
        assertTrue(index.stdout().contains("modprobe") && index.stdout().contains("cert"), index.stdout());

        Host.check(List.of(Host.CHECKOUT.resolve("fuse-mount/system/uninstall").toString(), "--root",
                root.toString()));
        try (Stream<Path> files = Files.walk(root)) {
            List<Path> left = files.filter(Files::isRegularFile).toList();
            assertEquals(List.of(), left, "files left after uninstall");
        }
        assertTrue(Files.isDirectory(root.resolve("etc/kmodpack/trusted.d")), "the trust store is kept");
    }
}
