package org.kmodpack.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.kmodpack.format.Codec;
import picocli.CommandLine;
import picocli.CommandLine.Help;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.TypeConversionException;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * How every picocli command line of kmodpack reads and words things: usage errors as one line and a pointer to
 * --help (exit 2), option values in the words the help uses, help fitted to the terminal with examples never
 * wrapped, and {@code -o BUNDLE} rather than {@code -o=BUNDLE} in usage lines.
 */
final class CommandLines {
    private static final Pattern PICOCLI_VALUE = Pattern.compile(
            "Invalid value for (option|positional parameter) '([^']*)'(?: \\([^)]*\\))?: (.*)", Pattern.DOTALL);
    private static final Pattern PICOCLI_CONVERSION = Pattern.compile("cannot convert '([^']*)' to (\\w+).*",
            Pattern.DOTALL);

    private static final Pattern MISSING_VALUE = Pattern.compile(
            "Missing required parameter for option '([^']*)' \\(([^)]*)\\)", Pattern.DOTALL);

    private CommandLines() {
    }

    /** {@code commandLine} with kmodpack's conventions, writing to {@code out} and {@code err}. */
    static CommandLine configure(CommandLine commandLine, PrintWriter out, PrintWriter err) {
        commandLine.setOut(out);
        commandLine.setErr(err);
        commandLine.registerConverter(Path.class, CommandLines::localPath);
        commandLine.registerConverter(Codec.class, CommandLines::codec);
        commandLine.setUsageHelpAutoWidth(true);
        commandLine.setHelpFactory(ReadableHelp::new);
        commandLine.setParameterExceptionHandler((exception, args) -> usageError(exception));
        for (CommandLine command : all(commandLine)) {
            command.getHelpSectionMap().put(CommandLine.Model.UsageMessageSpec.SECTION_KEY_FOOTER,
                    CommandLines::unwrappedFooter);
        }
        return commandLine;
    }

    private static List<CommandLine> all(CommandLine root) {
        List<CommandLine> all = new ArrayList<>(List.of(root));
        for (CommandLine sub : root.getSubcommands().values()) {
            all.addAll(all(sub));
        }
        return all;
    }

    /** One line saying what is wrong, one pointing to the command's help; exit status 2. */
    private static int usageError(ParameterException exception) {
        CommandLine failed = exception.getCommandLine();
        String command = failed.getCommandSpec().qualifiedName();
        PrintWriter err = failed.getErr();
        String message = usageMessage(exception);
        err.println(command + ": " + message);
        err.println("Try '" + command + " --help' for more information.");
        err.flush();
        if (wantsJson(failed)) {
            failed.getOut().println(Json.error(message, 2));
            failed.getOut().flush();
        }
        return 2;
    }

    /** Whether the command was asked for --json: its errors are then JSON on stdout too. */
    static boolean wantsJson(CommandLine command) {
        CommandLine.ParseResult parsed = command.getParseResult();
        return command.getCommandSpec().optionsMap().containsKey("--json") && parsed != null
                && parsed.originalArgs().contains("--json");
    }

    /** picocli's message, with a stray argument not called an option and conversions in our own words. */
    static String usageMessage(ParameterException exception) {
        if (exception instanceof UnmatchedArgumentException unmatched) {
            List<String> options = new ArrayList<>();
            List<String> arguments = new ArrayList<>();
            for (String word : unmatched.getUnmatched()) {
                (word.startsWith("-") && word.length() > 1 ? options : arguments).add(word);
            }
            if (!options.isEmpty()) {
                String suggestion = unmatched.getSuggestions().isEmpty() ? ""
                        : " (did you mean " + unmatched.getSuggestions().get(0) + "?)";
                return "unknown option '" + options.get(0) + "'" + suggestion;
            }
            return "unexpected argument '" + arguments.get(0) + "'";
        }
        String message = exception.getMessage() == null ? "" : exception.getMessage();
        Matcher value = PICOCLI_VALUE.matcher(message);
        if (value.matches()) {
            String reason = value.group(3);
            Matcher conversion = PICOCLI_CONVERSION.matcher(reason);
            if (conversion.matches()) {
                reason = "'" + conversion.group(1) + "' is not " + article(conversion.group(2).toLowerCase(Locale.ROOT));
            }
            return value.group(2) + ": " + reason;
        }
        Matcher missingValue = MISSING_VALUE.matcher(message);
        if (missingValue.matches()) {
            return missingValue.group(1) + " needs a value (" + missingValue.group(2) + ")";
        }
        return message.replaceFirst("^Missing required parameters?: ", "missing ")
                .replaceFirst("^Missing required options?: ", "missing option ")
                .replaceFirst("^Missing required argument \\(specify one of these\\): ", "give one of ")
                .replaceAll("'(--?[\\w-]+)=", "'$1 ");
    }

    private static String article(String type) {
        return switch (type) {
            case "int", "integer", "long" -> "a whole number";
            default -> "a valid " + type;
        };
    }

    private static Path localPath(String text) {
        try {
            return LocalPaths.of(text);
        } catch (IllegalArgumentException e) {
            throw new TypeConversionException(e.getMessage());
        }
    }

    private static Codec codec(String text) {
        for (Codec codec : Codec.values()) {
            if (codec.label().equalsIgnoreCase(text)) {
                return codec;
            }
        }
        throw new TypeConversionException("'" + text + "' is not a codec: give zstd, xz or none");
    }

    /** Examples are commands to paste: each footer line as written, never wrapped at the terminal's width. */
    private static String unwrappedFooter(Help help) {
        String[] footer = help.commandSpec().usageMessage().footer();
        if (footer.length == 0) {
            return "";
        }
        return String.join(System.lineSeparator(), footer) + System.lineSeparator();
    }

    /** picocli's help with option values shown as users type them: {@code -o BUNDLE}, not {@code -o=BUNDLE}. */
    private static final class ReadableHelp extends Help {
        private static final Pattern GROUP_VALUE = Pattern.compile("(-[\\w-]+(?:\u001B\\[[0-9;]*m)*)=");

        private final Help.IParamLabelRenderer labels;

        ReadableHelp(CommandSpec spec, Help.ColorScheme colorScheme) {
            super(spec, colorScheme);
            Help.IParamLabelRenderer picocli = super.parameterLabelRenderer();
            this.labels = new Help.IParamLabelRenderer() {
                @Override
                public Help.Ansi.Text renderParameterLabel(ArgSpec argSpec, Help.Ansi ansi,
                        List<Help.Ansi.IStyle> styles) {
                    Help.Ansi.Text text = picocli.renderParameterLabel(argSpec, ansi, styles);
                    if (!argSpec.isOption()) {
                        return text;
                    }
                    String plain = text.plainString();
                    String separator = picocli.separator();
                    if (plain.startsWith(separator)) {
                        return ansi.new Text(" " + plain.substring(separator.length()), colorScheme);
                    }
                    if (plain.startsWith("[" + separator)) {
                        return ansi.new Text(" [" + plain.substring(1 + separator.length()), colorScheme);
                    }
                    return text;
                }

                @Override
                public String separator() {
                    return " ";
                }
            };
        }

        @Override
        public Help.IParamLabelRenderer parameterLabelRenderer() {
            return labels;
        }

        /** Argument groups (pack's --sign KEY [--cert CERT]) lay out their synopsis without the renderer. */
        @Override
        public String synopsis(int synopsisHeadingLength) {
            return GROUP_VALUE.matcher(super.synopsis(synopsisHeadingLength)).replaceAll("$1 ");
        }
    }
}
