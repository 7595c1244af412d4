package org.kmodpack.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.CommandLine.Help;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

/**
 * The shell completion and man pages of the command, generated from the same picocli model that parses its
 * command line, at build time (cli/pom.xml runs this into target/), so they never disagree with it. Bash's
 * completion is picocli's; zsh runs the same script through bashcompinit. The man pages are troff written here
 * from the model: picocli's ManPageGenerator writes AsciiDoc, which needs asciidoctor to become a man page.
 */
public final class Documentation {
    private Documentation() {
    }

    /** Writes DIR/bash-completion/kmodpack, DIR/zsh/_kmodpack and DIR/man1/kmodpack*.1. */
    public static void main(String[] args) throws IOException {
        if (args.length != 1) {
            throw new IllegalArgumentException("usage: Documentation DIR");
        }
        Path directory = Path.of(args[0]);
        CommandLine kmodpack = CommandLines.configure(new CommandLine(new KmodpackCommand()),
                new PrintWriter(new StringWriter()), new PrintWriter(new StringWriter()));
        kmodpack.setColorScheme(Help.defaultColorScheme(Help.Ansi.OFF));
        write(directory.resolve("bash-completion/kmodpack"), AutoComplete.bash("kmodpack", kmodpack));
        write(directory.resolve("zsh/_kmodpack"), String.join("\n",
                "#compdef kmodpack",
                "# kmodpack's completion is the bash one (picocli's), which zsh runs through bashcompinit.",
                "if (( ! $+functions[_complete_kmodpack] )); then",
                "  autoload -U +X bashcompinit && bashcompinit",
                "  source \"${KMODPACK_BASH_COMPLETION:-/usr/local/share/bash-completion/completions/kmodpack}\"",
                "fi",
                "_bash_complete -o default -F _complete_kmodpack \"$@\"", ""));
        write(directory.resolve("man1/kmodpack.1"), page(kmodpack, "kmodpack"));
        for (Map.Entry<String, CommandLine> sub : kmodpack.getSubcommands().entrySet()) {
            if (!sub.getKey().equals("help")) {
                write(directory.resolve("man1/kmodpack-" + sub.getKey() + ".1"), page(sub.getValue(),
                        "kmodpack-" + sub.getKey()));
            }
        }
    }

    private static void write(Path file, String text) throws IOException {
        Files.createDirectories(file.getParent());
        Files.writeString(file, text, StandardCharsets.UTF_8);
    }

    /** One man page: name, synopsis, description, arguments, options, commands, examples. */
    static String page(CommandLine command, String name) {
        CommandSpec spec = command.getCommandSpec();
        Help help = command.getHelpFactory().create(spec, Help.defaultColorScheme(Help.Ansi.OFF));
        StringBuilder roff = new StringBuilder();
        String[] description = spec.usageMessage().description();
        roff.append(".TH ").append(name.toUpperCase(Locale.ROOT)).append(" 1 \"\" \"kmodpack\" \"kmodpack manual\"\n");
        roff.append(".SH NAME\n").append(escape(name)).append(" \\- ")
                .append(escape(description.length > 0 ? description[0] : "")).append('\n');
        roff.append(".SH SYNOPSIS\n.nf\n");
        roff.append(escape(help.synopsis(0).stripTrailing())).append("\n.fi\n");
        roff.append(".SH DESCRIPTION\n");
        for (int i = 0; i < description.length; i++) {
            roff.append(i == 0 ? "" : ".PP\n").append(escape(description[i])).append('\n');
        }
        if (spec.name().equals("mount")) {
            roff.append(".SH OPTIONS\n.nf\n").append(escape(MountArguments.USAGE)).append("\n.fi\n");
        }
        if (!spec.positionalParameters().isEmpty()) {
            roff.append(".SH ARGUMENTS\n");
            for (PositionalParamSpec positional : spec.positionalParameters()) {
                roff.append(".TP\n\\fI").append(escape(positional.paramLabel())).append("\\fR\n")
                        .append(escape(String.join(" ", positional.description()))).append('\n');
            }
        }
        if (!spec.options().isEmpty() && !spec.name().equals("mount")) {
            roff.append(".SH OPTIONS\n");
            for (OptionSpec option : spec.options()) {
                if (option.hidden()) {
                    continue;
                }
                roff.append(".TP\n").append(optionTerm(option)).append('\n')
                        .append(escape(String.join(" ", option.description()).replace("${DEFAULT-VALUE}",
                                String.valueOf(option.defaultValue())))).append('\n');
            }
        }
        if (!command.getSubcommands().isEmpty()) {
            roff.append(".SH COMMANDS\n");
            for (Map.Entry<String, CommandLine> sub : command.getSubcommands().entrySet()) {
                String[] summary = sub.getValue().getCommandSpec().usageMessage().description();
                roff.append(".TP\n\\fB").append(escape(sub.getKey())).append("\\fR\n")
                        .append(escape(summary.length > 0 ? summary[0] : "")).append('\n');
            }
        }
        String[] footer = spec.usageMessage().footer();
        if (footer.length > 0) {
            roff.append(".SH EXAMPLES\n.nf\n");
            for (String line : footer) {
                if (!line.isBlank() && !line.endsWith(":")) {
                    roff.append(escape(line)).append('\n');
                }
            }
            roff.append(".fi\n");
        }
        roff.append(".SH SEE ALSO\n").append(name.equals("kmodpack") ? "modprobe(8), modinfo(8), depmod(8)"
                : "kmodpack(1)").append('\n');
        return roff.toString();
    }

    private static String optionTerm(OptionSpec option) {
        StringBuilder term = new StringBuilder();
        for (String optionName : option.names()) {
            term.append(term.length() == 0 ? "" : ", ").append("\\fB").append(escape(optionName)).append("\\fR");
        }
        if (option.arity().max() > 0) {
            term.append(" \\fI").append(escape(((ArgSpec) option).paramLabel())).append("\\fR");
        }
        return term.toString();
    }

    /** Text as troff prints it: backslashes and hyphens escaped, no line taken for a request. */
    static String escape(String text) {
        String escaped = text.replace("\\", "\\e").replace("-", "\\-");
        StringBuilder out = new StringBuilder();
        for (String line : escaped.split("\n", -1)) {
            if (out.length() > 0) {
                out.append('\n');
            }
            out.append(line.startsWith(".") || line.startsWith("'") ? "\\&" + line : line);
        }
        return out.toString();
    }
}
