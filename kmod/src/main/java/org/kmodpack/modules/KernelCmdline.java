package org.kmodpack.modules;

import java.util.Optional;
import java.util.function.Consumer;

/**
 * The kernel command line as kmod reads it for module options: {@code module.param[=value]} words (a value may
 * be quoted, and a word quoted as a whole as some boot loaders pass it is re-quoted), and
 * {@code modprobe.blacklist=a,b}. A port of libkmod's state machine, so that odd words are ignored alike.
 */
final class KernelCmdline {
    private enum State { IGNORE, MODNAME, PARAM, VALUE, COMPLETE }

    private KernelCmdline() {
    }

    static void parse(String cmdline, ModprobeConfig config, Consumer<KmodProblem> errors) {
        char[] buf = (cmdline + "\0").toCharArray();
        State state = State.MODNAME;
        boolean quoted = false;
        int quoteStart = -1;
        int modname = 0;
        int param = -1;
        int value = -1;
        boolean iterate = true;
        for (int p = 0; iterate; p++) {
            char c = buf[p];
            switch (c) {
                case '"' -> {
                    quoted = !quoted;
                    if (quoted && state == State.MODNAME && p == modname) {
                        quoteStart = p;
                        modname = p + 1;
                    } else if (state != State.VALUE) {
                        state = State.IGNORE;
                    }
                }
                case '\0', ' ', '\n', '\t', '\u000B', '\f', '\r' -> {
                    if (c == '\0') {
                        iterate = false;
                    }
                    if (quoted && state == State.VALUE) {
                        // spaces inside a quoted value belong to it
                    } else if (quoted) {
                        state = State.IGNORE;
                    } else if (state == State.VALUE || state == State.PARAM) {
                        buf[p] = '\0';
                        state = State.COMPLETE;
                    } else {
                        modname = p + 1;
                        state = State.MODNAME;
                        quoteStart = -1;
                    }
                }
                case '.' -> {
                    if (state == State.MODNAME) {
                        buf[p] = '\0';
                        param = p + 1;
                        state = State.PARAM;
                    } else if (state == State.PARAM) {
                        state = State.IGNORE;
                    }
                }
                case '=' -> {
                    if (state == State.PARAM) {
                        value = p + 1;
                        state = State.VALUE;
                    } else if (state == State.MODNAME) {
                        state = State.IGNORE;
                    }
                }
                default -> {
                }
            }
            if (state == State.COMPLETE) {
                if (quoteStart >= 0 && quoteStart < modname) {
                    // "mod.param=a b" as a whole: rebuild mod.param="a b" as the bootloader meant it.
                    System.arraycopy(buf, modname, buf, quoteStart, value - modname);
                    value--;
                    modname--;
                    param--;
                    buf[value] = '"';
                }
                result(config, cString(buf, modname), cString(buf, param), value < 0 ? null : cString(buf, value),
                        errors);
                modname = p + 1;
                state = State.MODNAME;
                quoteStart = -1;
            }
        }
    }

    private static void result(ModprobeConfig config, String modname, String param, String value,
            Consumer<KmodProblem> errors) {
        if (modname.equals("modprobe") && param.startsWith("blacklist=")) {
            String list = value == null ? "" : value;
            for (String name : list.split(",", -1)) {
                config.addBlacklist(name);
            }
            return;
        }
        Optional<String> normalized = ModuleNames.underscores(modname);
        if (normalized.isEmpty()) {
            errors.accept(KmodProblem.of(KmodProblem.Kind.CMDLINE_BAD_OPTION, modname));
            return;
        }
        config.addOptions(normalized.get(), param);
    }

    private static String cString(char[] buf, int from) {
        int end = from;
        while (end < buf.length && buf[end] != '\0') {
            end++;
        }
        return new String(buf, from, end - from);
    }
}
