package org.kmodpack.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.kmodpack.cli.CliTest.run;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.kmodpack.cli.CliTest.Run;
import picocli.CommandLine;
import picocli.CommandLine.Model.PositionalParamSpec;

/** The help as a user reads it: whole summaries, every argument described, option values as typed. */
class HelpTest {
    @Test
    void everyCommandSummaryIsAWholeSentence() {
        CommandLine kmodpack = new CommandLine(new KmodpackCommand());
        for (Map.Entry<String, CommandLine> command : kmodpack.getSubcommands().entrySet()) {
            String[] description = command.getValue().getCommandSpec().usageMessage().description();
            assertTrue(description.length > 0 && description[0].endsWith("."),
                    command.getKey() + "'s summary in 'kmodpack --help': " + String.join("|", description));
        }
        Run help = run("--help");
        assertEquals(0, help.exit());
        assertTrue(help.out().replaceAll("\\s+", " ").contains("Load or remove modules of the bundle as kmod's "
                + "modprobe does on the unpacked tree."), help.out());
    }

    @Test
    void everyArgumentIsDescribed() {
        CommandLine kmodpack = new CommandLine(new KmodpackCommand());
        for (Map.Entry<String, CommandLine> command : kmodpack.getSubcommands().entrySet()) {
            for (PositionalParamSpec positional : command.getValue().getCommandSpec().positionalParameters()) {
                assertTrue(positional.description().length > 0 && !positional.description()[0].isBlank(),
                        command.getKey() + " " + positional.paramLabel() + " has no description");
            }
        }
    }

    @Test
    void optionValuesAsUsersTypeThem() {
        Run pack = run("pack", "--help");
        assertEquals(0, pack.exit());
        assertTrue(pack.out().contains("[-o BUNDLE]") && pack.out().contains("-o, --output BUNDLE"), pack.out());
        assertFalse(pack.out().contains("=BUNDLE"), pack.out());
        assertTrue(pack.out().contains("  kmodpack pack /lib/modules/$(uname -r) --sign release.key --sign "
                + "linux/certs/signing_key.pem --expires 2027-06-30\n"), "examples are not wrapped:\n" + pack.out());
    }
}
