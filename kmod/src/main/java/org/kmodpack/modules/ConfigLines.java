package org.kmodpack.modules;

/**
 * The lines of a kmod configuration file as libkmod's freadline_wrapped reads them: a backslash before a newline
 * joins the next line, and before any other character it is dropped; line numbers count the joined lines.
 */
final class ConfigLines {
    private final String text;
    private int at;
    private int number;

    ConfigLines(String text) {
        this.text = text;
    }

    String next() {
        if (at >= text.length()) {
            return null;
        }
        StringBuilder line = new StringBuilder();
        while (at < text.length()) {
            char c = text.charAt(at++);
            if (c == '\n') {
                number++;
                return line.toString();
            }
            if (c == '\\' && at < text.length()) {
                char escaped = text.charAt(at++);
                if (escaped == '\n') {
                    number++;
                    continue;
                }
                line.append(escaped);
                continue;
            }
            line.append(c);
        }
        number++;
        return line.toString();
    }

    int number() {
        return number;
    }
}
