package org.kmodpack.modules;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.kmodpack.format.ModuleSection;
import org.kmodpack.format.ModuleSection.Info;
import org.kmodpack.format.CorruptBundleException;
import org.kmodpack.reader.Bundle;
import org.kmodpack.reader.Entry;

/**
 * kmod 30's modinfo over a bundle: fields in .modinfo order, then the signature fields, then one merged line
 * per parameter (parameters listed last-seen-first, as kmod's prepended list prints them). Output is bytes:
 * field values are printed as stored, whatever their encoding.
 */
public final class Modinfo {
    private final Bundle bundle;
    private final ModuleSection section;
    private final Modprobe lookups;

    Modinfo(Bundle bundle, ModuleSection section, String moduleDir) {
        this.bundle = bundle;
        this.section = section;
        // modinfo runs kmod with an empty configuration: no aliases, commands or options apply.
        this.lookups = new Modprobe(section, ModprobeConfig.empty(), moduleDir, message -> { });
    }

    /** A field's value as modinfo prints it. */
    public record Field(String key, byte[] value) {
        public String text() {
            return new String(value, StandardCharsets.UTF_8);
        }
    }

    /**
     * The fields kmod_module_get_info lists for a module found by {@code name} (the first match), or null
     * when nothing matches.
     */
    public List<Field> fields(String nameOrAlias) throws IOException {
        List<Modprobe.Mod> found = lookups.lookup(nameOrAlias);
        if (found == null || found.isEmpty()) {
            return null;
        }
        List<Field> fields = new ArrayList<>();
        List<Info> info = info(found.get(0), new int[1]);
        if (info != null) {
            info.forEach(i -> fields.add(new Field(i.key(), value(i))));
        }
        return fields;
    }

    /**
     * Prints what {@code modinfo [-F field] NAME} prints to {@code out}, errors (kmod's wording) to
     * {@code errors}; returns false when kmod would exit 1 for this name.
     */
    public boolean print(String name, String field, ByteArrayOutputStream out, Consumer<String> errors)
            throws IOException {
        List<Modprobe.Mod> found = lookups.lookup(name);
        if (found == null) {
            errors.accept("modinfo: ERROR: Module alias " + name + " not found.");
            return false;
        }
        if (found.isEmpty()) {
            errors.accept("modinfo: ERROR: Module " + name + " not found.");
            return false;
        }
        boolean ok = true;
        for (Modprobe.Mod mod : found) {
            ok &= printModule(mod, field, out, errors);
        }
        return ok;
    }

    private boolean printModule(Modprobe.Mod mod, String field, ByteArrayOutputStream out, Consumer<String> errors)
            throws IOException {
        String filename = lookups.path(mod);
        boolean noFile = filename == null;
        if (noFile) {
            if (field == null) {
                line(out, pad("name:") + mod.name);
            } else if (field.equals("name")) {
                line(out, mod.name);
            }
            filename = "(builtin)";
        }
        if ("filename".equals(field)) {
            line(out, filename);
            return true;
        } else if (field == null) {
            line(out, pad("filename:") + filename);
        }
        int[] error = new int[1];
        List<Info> info = info(mod, error);
        if (info == null) {
            if (noFile && error[0] == ENOENT) {
                return true;
            }
            errors.accept("modinfo: ERROR: could not get modinfo from '" + mod.name + "': " + strerror(error[0]));
            return false;
        }
        if ("parm".equals(field)) {
            printParams(parameters(info, errors), false, out);
            return true;
        }
        List<Info> params = new ArrayList<>();
        for (Info i : info) {
            if (field != null) {
                if (field.equals(i.key())) {
                    out.writeBytes(value(i));
                    out.write('\n');
                }
                continue;
            }
            if (i.key().equals("parm") || i.key().equals("parmtype")) {
                params.add(i);
                continue;
            }
            out.writeBytes((i.key() + ":" + " ".repeat(Math.max(0, 15 - utf8Length(i.key()))))
                    .getBytes(StandardCharsets.UTF_8));
            out.writeBytes(value(i));
            out.write('\n');
        }
        if (field == null) {
            printParams(parameters(params, errors), true, out);
        }
        return true;
    }

    private static final int ENOENT = 2;
    private static final int ENOEXEC = 8;
    private static final int EINVAL = 22;
    private static final int ENOSYS = 38;

    /** kmod_module_get_info; null with the errno in {@code error[0]} when kmod fails. */
    private List<Info> info(Modprobe.Mod mod, int[] error) throws IOException {
        if (lookups.isBuiltin(mod)) {
            if (!section.hasBuiltinModinfo()) {
                error[0] = ENOENT;
                return null;
            }
            ModuleSection.InfoRef ref = section.builtinInfo(mod.name);
            if (ref == null) {
                error[0] = ENOSYS;
                return null;
            }
            return read(ref);
        }
        int at = section.findModule(mod.name);
        int flags = at < 0 ? ModuleSection.FLAG_NO_MODINFO : section.moduleFlags(at);
        if ((flags & ModuleSection.FLAG_INVALID_ELF) != 0) {
            error[0] = notElf(section.modulePath(at)) ? ENOEXEC : EINVAL;
            return null;
        }
        if ((flags & ModuleSection.FLAG_NO_MODINFO) != 0) {
            error[0] = ENOENT;
            return null;
        }
        List<Info> info = read(section.moduleInfo(at));
        List<Info> resolved = new ArrayList<>(info.size());
        for (Info i : info) {
            resolved.add(i.inFile() ? new Info(i.key(), fileBytes(section.modulePath(at), i), i.hex()) : i);
        }
        return resolved;
    }

    /**
     * Whether a module the packer could not read is not ELF at all, which kmod words as ENOEXEC; a damaged ELF
     * or a compressed stream that does not decompress is EINVAL to kmod.
     */
    private boolean notElf(String path) throws IOException {
        Entry file = bundle.find(path).filter(Entry::isFile).orElse(null);
        if (file == null) {
            return false;
        }
        byte[] module;
        try {
            module = ModuleFile.decompress(path, bundle.readAllBytes(file));
        } catch (CorruptBundleException damaged) {
            throw damaged;
        } catch (IOException undecompressable) {
            return false;
        }
        return !ModuleFile.isElf(module);
    }

    /** A value the index refers to instead of storing: bytes of the module file itself. */
    private byte[] fileBytes(String path, Info reference) throws IOException {
        Entry file = bundle.find(path).filter(Entry::isFile).orElseThrow(() -> new CorruptBundleException(
                bundle.toString(), "modinfo of " + path + " refers to the module file, which the bundle lacks"));
        if (reference.fileOffset() + reference.fileLength() > file.size()) {
            throw new CorruptBundleException(bundle.toString(), "modinfo field " + reference.key() + " of " + path
                    + " refers to bytes past the end of the file");
        }
        ByteBuffer out = ByteBuffer.allocate(reference.fileLength());
        while (out.hasRemaining() && bundle.read(file, reference.fileOffset() + out.position(), out) > 0) {
            // each read fills what the blocks hold
        }
        return out.array();
    }

    private List<Info> read(ModuleSection.InfoRef ref) throws IOException {
        return ModuleSection.decodeInfo(bundle.readModuleInfo(ref), bundle.toString());
    }

    private static String strerror(int errno) {
        return switch (errno) {
            case ENOENT -> "No such file or directory";
            case ENOEXEC -> "Exec format error";
            case EINVAL -> "Invalid argument";
            case ENOSYS -> "Function not implemented";
            default -> "errno " + errno;
        };
    }

    private record Param(byte[] name, byte[] description, byte[] type) {
    }

    /** process_parm: parm=NAME:DESC and parmtype=NAME:TYPE merged by name, newest name first. */
    private static List<Param> parameters(List<Info> info, Consumer<String> errors) {
        List<Param> params = new ArrayList<>();
        for (Info i : info) {
            if (!i.key().equals("parm") && !i.key().equals("parmtype")) {
                continue;
            }
            byte[] v = i.value();
            int colon = indexOf(v, (byte) ':');
            if (colon < 0) {
                errors.accept("modinfo: ERROR: Found invalid \"" + i.key() + "=" + new String(v, StandardCharsets.UTF_8)
                        + "\": missing ':'");
                continue;
            }
            byte[] name = java.util.Arrays.copyOf(v, colon);
            byte[] rest = java.util.Arrays.copyOfRange(v, colon + 1, v.length);
            int at = -1;
            for (int p = 0; p < params.size(); p++) {
                if (java.util.Arrays.equals(params.get(p).name(), name)) {
                    at = p;
                    break;
                }
            }
            Param old = at < 0 ? new Param(name, null, null) : params.get(at);
            Param updated = i.key().equals("parm") ? new Param(name, rest, old.type())
                    : new Param(name, old.description(), rest);
            if (at < 0) {
                params.add(0, updated);
            } else {
                params.set(at, updated);
            }
        }
        return params;
    }

    private static void printParams(List<Param> params, boolean labelled, ByteArrayOutputStream out) {
        for (Param p : params) {
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
            out.write('\n');
        }
    }

    /** Hex fields as kmod prints them: "AB:CD:...", a line break and two tabs after every 20 bytes. */
    private static byte[] value(Info info) {
        if (!info.hex()) {
            return info.value();
        }
        byte[] raw = info.value();
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

    private static void line(ByteArrayOutputStream out, String text) {
        out.writeBytes(text.getBytes(StandardCharsets.UTF_8));
        out.write('\n');
    }

    private static int utf8Length(String s) {
        return s.getBytes(StandardCharsets.UTF_8).length;
    }

    private static int indexOf(byte[] bytes, byte b) {
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] == b) {
                return i;
            }
        }
        return -1;
    }
}
