package org.kmodpack.modules;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The index files depmod makes from the modules' .modinfo: modules.alias (text and .bin), .softdep and .devname. */
final class ModinfoFiles {
    private static final Pattern MAJOR_MINOR = Pattern.compile("\\s*([+-]?[0-9]+)-\\s*([+-]?[0-9]+)");
    static final String ALIASES_HEADER = "# Aliases extracted from modules themselves.\n";
    static final String SOFTDEPS_HEADER = "# Soft dependencies extracted from modules themselves.\n";
    static final String DEVNAMES_HEADER = "# Device nodes to trigger on-demand module loading.\n";

    private ModinfoFiles() {
    }

    static byte[] aliases(List<DepmodModule> modules) {
        // Sized for its lines, the text is built without copying it as it grows.
        int length = 64;
        for (DepmodModule module : modules) {
            for (String alias : module.symbols.aliases()) {
                length += alias.length() + module.name.length() + 8;
            }
        }
        StringBuilder text = new StringBuilder(length).append(ALIASES_HEADER);
        for (DepmodModule module : modules) {
            for (String alias : module.symbols.aliases()) {
                text.append("alias ").append(alias).append(' ').append(module.name).append('\n');
            }
        }
        return text.toString().getBytes(StandardCharsets.UTF_8);
    }

    /**
     * Keys are the aliases with '-' as '_' outside brackets; an alias with unmatched brackets is reported and left
     * out. With {@code warnDuplicates} (-w), a key a module gives again is reported (and stored again). Only this
     * index can hold a key twice with the same value: module names and symbols are each written once.
     */
    static byte[] aliasesBin(List<DepmodModule> modules, boolean warnDuplicates, Consumer<KmodProblem> problems) {
        DepmodBin.Writer bin = new DepmodBin.Writer();
        Set<String> given = new HashSet<>();
        for (DepmodModule module : modules) {
            for (String alias : module.symbols.aliases()) {
                Optional<String> key = ModuleNames.underscores(alias);
                if (key.isEmpty()) {
                    problems.accept(KmodProblem.of(KmodProblem.Kind.ALIAS_UNMATCHED_BRACKET, alias));
                    continue;
                }
                if (warnDuplicates && !given.add(key.get() + '\0' + module.name)) {
                    problems.accept(new KmodProblem(KmodProblem.Kind.ALIAS_DUPLICATE, key.get(), 0, module.name));
                }
                bin.insert(key.get(), module.name, module.index);
            }
        }
        return bin.toBytes();
    }

    static byte[] softdeps(List<DepmodModule> modules) {
        return (SOFTDEPS_HEADER + softdepLines(modules)).getBytes(StandardCharsets.UTF_8);
    }

    /** modules.softdep's lines of {@code modules}, without its header. */
    static String softdepLines(List<DepmodModule> modules) {
        StringBuilder text = new StringBuilder();
        for (DepmodModule module : modules) {
            for (String softdep : module.symbols.softdeps()) {
                text.append("softdep ").append(module.name).append(' ').append(softdep).append('\n');
            }
        }
        return text.toString();
    }

    /**
     * "name devname c|bMAJOR:MINOR" for modules with a devname: alias and a char-major-M-N or block-major-M-N
     * alias (the last such before both are known); a devname without numbers is reported and left out.
     */
    static byte[] devnames(List<DepmodModule> modules, Consumer<KmodProblem> problems) {
        String lines = devnameLines(modules, problems);
        return lines.isEmpty() ? new byte[0] : (DEVNAMES_HEADER + lines).getBytes(StandardCharsets.UTF_8);
    }

    /** modules.devname's lines of {@code modules}, without its header (which depmod writes only before a line). */
    static String devnameLines(List<DepmodModule> modules, Consumer<KmodProblem> problems) {
        StringBuilder out = new StringBuilder();
        for (DepmodModule module : modules) {
            String devname = null;
            char type = 0;
            long major = 0;
            long minor = 0;
            for (String alias : module.symbols.aliases()) {
                long[] numbers;
                if (alias.startsWith("devname:")) {
                    devname = alias.substring("devname:".length());
                } else if ((numbers = majorMinor(alias, "char-major-")) != null) {
                    type = 'c';
                    major = numbers[0];
                    minor = numbers[1];
                } else if ((numbers = majorMinor(alias, "block-major-")) != null) {
                    type = 'b';
                    major = numbers[0];
                    minor = numbers[1];
                }
                if (type != 0 && devname != null) {
                    break;
                }
            }
            if (devname == null) {
                continue;
            }
            if (type == 0) {
                problems.accept(new KmodProblem(KmodProblem.Kind.DEVNAME_WITHOUT_NUMBERS, module.name, 0, devname));
                continue;
            }
            out.append(module.name).append(' ').append(devname).append(' ').append(type).append(major).append(':')
                    .append(minor).append('\n');
        }
        return out.toString();
    }

    /** sscanf(alias, "PREFIX%u-%u") == 2: each number may have leading space and a sign, and wraps to 32 bits. */
    private static long[] majorMinor(String alias, String prefix) {
        if (!alias.startsWith(prefix)) {
            return null;
        }
        Matcher numbers = MAJOR_MINOR.matcher(alias).region(prefix.length(), alias.length());
        if (!numbers.lookingAt()) {
            return null;
        }
        return new long[] {unsigned(numbers.group(1)), unsigned(numbers.group(2))};
    }

    private static long unsigned(String number) {
        return new BigInteger(number).longValue() & 0xFFFFFFFFL;
    }
}
