package org.kmodpack.cli;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * Every kmodpack command line the README's shell blocks and the commands' help examples show (synopses with
 * [optional] parts aside) parses with the command's own definition: an option renamed or dropped fails here,
 * not on a user's paste.
 */
class ExampleCommandsTest {
    private static final java.io.PrintWriter QUIET = new java.io.PrintWriter(java.io.Writer.nullWriter());

    @Test
    void readmeExamplesParse() throws IOException {
        List<String> lines = new ArrayList<>();
        boolean inShell = false;
        for (String line : Files.readAllLines(Launcher.CHECKOUT.resolve("README.md"))) {
            if (line.startsWith("```")) {
                inShell = line.equals("```sh");
            } else if (inShell && (line.startsWith("kmodpack ") || line.startsWith("./kmodpack "))) {
                lines.add(line);
            }
        }
        assertTrue(lines.size() > 15, lines.toString());
        check(lines);
    }

    @Test
    void helpExamplesParse() {
        List<String> lines = new ArrayList<>();
        CommandLine kmodpack = new CommandLine(new KmodpackCommand());
        List<CommandLine> commands = new ArrayList<>(List.of(kmodpack));
        commands.addAll(kmodpack.getSubcommands().values());
        for (CommandLine command : commands) {
            for (String line : command.getCommandSpec().usageMessage().footer()) {
                if (line.startsWith("  kmodpack ")) {
                    // A footer may chain two commands with && (keygen, then pack).
                    for (String part : line.strip().split(" && ")) {
                        lines.add(part);
                    }
                }
            }
        }
        assertTrue(lines.size() > 30, lines.toString());
        check(lines);
    }

    private static void check(List<String> lines) {
        for (String line : lines) {
            String command = line.replaceFirst("\\s+#.*$", "");
            if (command.contains(" [") || command.contains("|") || command.contains("...")) {
                continue; // a synopsis, not an example
            }
            List<String> words = words(command);
            words.remove(0);
            try {
                if (words.get(0).equals("mount")) {
                    MountArguments.parse(words.toArray(String[]::new));
                } else if (words.get(0).equals("depmod")) {
                    new CommandLine(new DepmodCommand()).parseArgs(words.subList(1, words.size())
                            .toArray(String[]::new));
                } else {
                    CommandLines.configure(new CommandLine(new KmodpackCommand()), QUIET, QUIET)
                            .parseArgs(words.toArray(String[]::new));
                }
            } catch (MountArguments.UsageException | CommandLine.ParameterException e) {
                fail("'" + line + "' does not parse: " + e.getMessage());
            }
        }
    }

    /** The shell's words: blanks split, quotes group and are removed ("$(...)" stays one word). */
    private static List<String> words(String command) {
        List<String> words = new ArrayList<>();
        StringBuilder word = new StringBuilder();
        char quote = 0;
        boolean inWord = false;
        int substitution = 0;
        char previous = 0;
        for (char c : command.toCharArray()) {
            if (substitution > 0 || c == '(' && previous == '$') {
                substitution += c == '(' ? 1 : c == ')' ? -1 : 0;
                word.append(c);
            } else if (quote != 0) {
                if (c == quote) {
                    quote = 0;
                } else {
                    word.append(c);
                }
            } else if (c == '"' || c == '\'') {
                quote = c;
                inWord = true;
            } else if (c == ' ') {
                if (inWord) {
                    words.add(word.toString());
                    word.setLength(0);
                    inWord = false;
                }
            } else {
                word.append(c);
                inWord = true;
            }
            previous = c;
        }
        if (inWord) {
            words.add(word.toString());
        }
        return words;
    }
}
