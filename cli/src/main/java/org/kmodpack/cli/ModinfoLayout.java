package org.kmodpack.cli;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import org.kmodpack.modules.Errno;
import org.kmodpack.modules.Modinfo;
import org.kmodpack.modules.Modinfo.Field;
import org.kmodpack.modules.Modinfo.Fields;
import org.kmodpack.modules.Modinfo.Match;
import org.kmodpack.modules.Modinfo.Parameter;

/**
 * kmod 30's modinfo text, byte for byte: "key:" padded to 16 columns, hex values as "AB:CD:..." with a line
 * break and two tabs after every 20 bytes, parameters last as "parm:" lines, and its error messages. Values
 * are written as the bytes they are. Each value ends with the separator ('\n', or NUL for modinfo -0, which also
 * writes fields as "key=value"); the line breaks inside long hex values stay.
 */
record ModinfoLayout(Modinfo modinfo, char separator) {
    /**
     * Writes what {@code modinfo [-F field] NAME} prints to {@code out}, errors to {@code errors} (each after
     * what {@code out} holds so far); returns false when kmod would exit 1 for this name.
     */
    boolean print(String name, String field, ByteArrayOutputStream out, Consumer<String> errors) throws IOException {
        Optional<List<Match>> found = modinfo.find(name);
        if (found.isEmpty()) {
            errors.accept("modinfo: ERROR: Module alias " + name + " not found.");
            return false;
        }
        if (found.get().isEmpty()) {
            errors.accept("modinfo: ERROR: Module " + name + " not found.");
            return false;
        }
        boolean ok = true;
        for (Match match : found.get()) {
            ok &= printModule(match, field, out, errors);
        }
        return ok;
    }

    private boolean printModule(Match match, String field, ByteArrayOutputStream out, Consumer<String> errors)
            throws IOException {
        boolean builtin = match.filename().isEmpty();
        if (builtin) {
            if (field == null) {
                line(out, pad("name:") + match.name());
            } else if (field.equals("name")) {
                line(out, match.name());
            }
        }
        String filename = match.filename().orElse("(builtin)");
        if ("filename".equals(field)) {
            line(out, filename);
            return true;
        } else if (field == null) {
            line(out, pad("filename:") + filename);
        }
        Fields fields = modinfo.fields(match);
        if (fields.errno() != 0) {
            if (builtin && fields.errno() == Errno.ENOENT) {
                return true;
            }
            errors.accept("modinfo: ERROR: could not get modinfo from '" + match.name() + "': "
                    + Strerror.of(fields.errno()));
            return false;
        }
        if ("parm".equals(field)) {
            reportInvalid(fields, errors);
            printParameters(fields.parameters(), false, out);
            return true;
        }
        for (Field f : fields.fields()) {
            if (field != null) {
                if (field.equals(f.key())) {
                    out.writeBytes(value(f));
                    out.write(separator);
                }
                continue;
            }
            if (f.key().equals("parm") || f.key().equals("parmtype")) {
                continue;
            }
            // modinfo -0 writes "key=value": one NUL-separated record a field, for scripts to split.
            String label = separator == '\0' ? f.key() + "="
                    : f.key() + ":" + " ".repeat(Math.max(0, 15 - utf8Length(f.key())));
            out.writeBytes(label.getBytes(StandardCharsets.UTF_8));
            out.writeBytes(value(f));
            out.write(separator);
        }
        if (field == null) {
            reportInvalid(fields, errors);
            printParameters(fields.parameters(), true, out);
        }
        return true;
    }

    private static void reportInvalid(Fields fields, Consumer<String> errors) {
        for (Field invalid : fields.invalidParameters()) {
            errors.accept("modinfo: ERROR: Found invalid \"" + invalid.key() + "=" + invalid.text()
                    + "\": missing ':'");
        }
    }

    private void printParameters(List<Parameter> parameters, boolean labelled, ByteArrayOutputStream out) {
        for (Parameter p : parameters) {
            if (labelled) {
                out.writeBytes(pad("parm:").getBytes(StandardCharsets.US_ASCII));
            }
            out.writeBytes(p.name());
            out.write(':');
            if (p.description() == null) {
                if (!labelled) {
                    out.writeBytes(" (".getBytes(StandardCharsets.US_ASCII));
                }
                out.writeBytes(p.type());
                if (!labelled) {
                    out.write(')');
                }
            } else {
                out.writeBytes(p.description());
                if (p.type() != null) {
                    out.writeBytes(" (".getBytes(StandardCharsets.US_ASCII));
                    out.writeBytes(p.type());
                    out.write(')');
                }
            }
            out.write(separator);
        }
    }

    /** Hex fields as kmod prints them: "AB:CD:...", a line break and two tabs after every 20 bytes. */
    private static byte[] value(Field field) {
        if (!field.hex()) {
            return field.value();
        }
        byte[] raw = field.value();
        StringBuilder hex = new StringBuilder(raw.length * 3);
        for (int i = 0; i < raw.length; i++) {
            hex.append(String.format("%02X", raw[i] & 0xFF));
            if (i < raw.length - 1) {
                hex.append(':');
                if ((i + 1) % 20 == 0) {
                    hex.append("\n\t\t");
                }
            }
        }
        return hex.toString().getBytes(StandardCharsets.US_ASCII);
    }

    private static String pad(String label) {
        return String.format("%-16s", label);
    }

    private void line(ByteArrayOutputStream out, String text) {
        out.writeBytes(text.getBytes(StandardCharsets.UTF_8));
        out.write(separator);
    }

    private static int utf8Length(String s) {
        return s.getBytes(StandardCharsets.UTF_8).length;
    }
}
