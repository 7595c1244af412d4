package org.kmodpack.modules;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.kmodpack.format.CorruptBundleException;
import org.kmodpack.format.ModinfoField;
import org.kmodpack.format.ModuleContent;
import org.kmodpack.format.ModuleSection;
import org.kmodpack.reader.Bundle;
import org.kmodpack.reader.Entry;

/**
 * kmod 30's modinfo over a bundle, as data: what a name finds, and for each module its fields in .modinfo
 * order, then the signature fields, and its parameters merged (listed last-seen-first, as kmod's prepended list
 * holds them). Values are bytes, whatever their encoding. The text layout is the command's. Over a base merged
 * with layers, names are found in the union and a layer's module is read from its own file.
 */
public final class Modinfo {
    private final Bundle bundle;
    private final ModuleSection section;
    private final ModuleLookup lookup;
    private final Map<String, Bundle> layerFiles;
    private final Modprobe lookups;

    Modinfo(Bundle bundle, ModuleSection section, ModuleLookup lookup, Map<String, Bundle> layerFiles,
            String moduleDir) {
        this.bundle = bundle;
        this.section = section;
        this.lookup = lookup;
        this.layerFiles = layerFiles;
        // modinfo runs kmod with an empty configuration: no aliases, commands or options apply.
        this.lookups = new Modprobe(lookup, ModprobeConfig.empty(), moduleDir, message -> { });
    }

    /** A field; {@code hex} says modinfo prints the value as colon-separated hex (signatures, key ids). */
    public record Field(String key, byte[] value, boolean hex) {
        public String text() {
            return new String(value, StandardCharsets.UTF_8);
        }
    }

    /** A parameter from parm=NAME:DESCRIPTION and parmtype=NAME:TYPE; either part may be missing (null). */
    public record Parameter(byte[] name, byte[] description, byte[] type) {
    }

    /** A module a name finds: its file under the module directory, or none for a built-in module. */
    public static final class Match {
        private final Modprobe.Mod mod;
        private final Optional<String> filename;

        private Match(Modprobe.Mod mod, Optional<String> filename) {
            this.mod = mod;
            this.filename = filename;
        }

        public String name() {
            return mod.name;
        }

        public Optional<String> filename() {
            return filename;
        }
    }

    /**
     * kmod_module_get_info's answer for one module: {@code errno} 0 and its fields, or the errno it fails with
     * (ENOENT for a built-in module without modules.builtin.modinfo, which modinfo does not report). Parameters
     * are merged from the parm and parmtype fields; {@code invalidParameters} are those without ':'.
     */
    public record Fields(int errno, List<Field> fields, List<Parameter> parameters, List<Field> invalidParameters) {
        static Fields failed(int errno) {
            return new Fields(errno, List.of(), List.of(), List.of());
        }

        static Fields of(List<ModinfoField> info) {
            List<Field> fields = info.stream().map(i -> new Field(i.key(), i.value(), i.hex())).toList();
            List<Field> invalid = new ArrayList<>();
            List<Parameter> parameters = mergeParameters(fields, invalid);
            return new Fields(0, fields, List.copyOf(parameters), List.copyOf(invalid));
        }
    }

    /**
     * The modules kmod_module_new_from_lookup finds for {@code nameOrAlias} (empty when nothing matches), or
     * empty when the name is not a valid alias (unbalanced brackets).
     */
    public Optional<List<Match>> find(String nameOrAlias) {
        List<Modprobe.Mod> found = lookups.lookup(nameOrAlias);
        if (found == null) {
            return Optional.empty();
        }
        List<Match> matches = new ArrayList<>(found.size());
        for (Modprobe.Mod mod : found) {
            matches.add(new Match(mod, Optional.ofNullable(lookups.path(mod))));
        }
        return Optional.of(matches);
    }

    /** The fields of a module {@link #find} found. */
    public Fields fields(Match match) throws IOException {
        return fields(match.mod);
    }

    /** The fields of the first module {@code nameOrAlias} finds; empty when it finds none or they cannot be read. */
    public List<Field> fields(String nameOrAlias) throws IOException {
        List<Modprobe.Mod> found = lookups.lookup(nameOrAlias);
        if (found == null || found.isEmpty()) {
            return List.of();
        }
        return fields(found.get(0)).fields();
    }

    /** kmod_module_get_info: the fields, or the errno kmod fails with. */
    private Fields fields(Modprobe.Mod mod) throws IOException {
        if (lookups.isBuiltin(mod)) {
            if (!section.hasBuiltinModinfo()) {
                return Fields.failed(Errno.ENOENT);
            }
            Optional<ModuleSection.InfoRef> ref = section.builtinInfo(mod.name);
            if (ref.isEmpty()) {
                return Fields.failed(Errno.ENOSYS);
            }
            return Fields.of(read(ref.get()));
        }
        int found = lookups.moduleIndex(mod);
        Bundle layer = found < 0 ? null : layerFiles.get(lookup.modulePath(found));
        if (layer != null) {
            return layerModuleFields(layer, lookup.modulePath(found));
        }
        int at = section.findModule(mod.name);
        int flags = at < 0 ? ModuleContent.FLAG_NO_MODINFO : section.moduleFlags(at);
        if ((flags & ModuleContent.FLAG_INVALID_ELF) != 0) {
            return Fields.failed(notElf(bundle, section.modulePath(at)) ? Errno.ENOEXEC : Errno.EINVAL);
        }
        if ((flags & ModuleContent.FLAG_NO_MODINFO) != 0) {
            return Fields.failed(Errno.ENOENT);
        }
        List<ModinfoField> info = read(section.moduleInfo(at));
        List<ModinfoField> resolved = new ArrayList<>(info.size());
        for (ModinfoField i : info) {
            resolved.add(i.inFile() ? new ModinfoField(i.key(), fileBytes(section.modulePath(at), i), i.hex()) : i);
        }
        return Fields.of(resolved);
    }

    /** A layer's module, read from its file in the layer as the packer reads a module for the index. */
    private static Fields layerModuleFields(Bundle layer, String path) throws IOException {
        Entry file = layer.find(path).filter(Entry::isFile).orElseThrow(() -> new CorruptBundleException(
                layer.toString(), "its module index names " + path + ", which it lacks"));
        ModuleScanner.FileInfo read = ModuleScanner.modinfoOfAnotherFile(path, layer.readAllBytes(file));
        if ((read.flags() & ModuleContent.FLAG_INVALID_ELF) != 0) {
            return Fields.failed(notElf(layer, path) ? Errno.ENOEXEC : Errno.EINVAL);
        }
        if ((read.flags() & ModuleContent.FLAG_NO_MODINFO) != 0) {
            return Fields.failed(Errno.ENOENT);
        }
        return Fields.of(read.info());
    }

    /**
     * Whether a module the packer could not read is not ELF at all, which kmod words as ENOEXEC; a damaged ELF
     * or a compressed stream that does not decompress is EINVAL to kmod.
     */
    private static boolean notElf(Bundle bundle, String path) throws IOException {
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
    private byte[] fileBytes(String path, ModinfoField reference) throws IOException {
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

    private List<ModinfoField> read(ModuleSection.InfoRef ref) throws IOException {
        return ModuleSection.decodeInfo(bundle.readModuleInfo(ref), bundle.toString());
    }

    /** process_parm: parm=NAME:DESC and parmtype=NAME:TYPE merged by name, newest name first. */
    private static List<Parameter> mergeParameters(List<Field> info, List<Field> invalid) {
        List<Parameter> params = new ArrayList<>();
        for (Field i : info) {
            if (!i.key().equals("parm") && !i.key().equals("parmtype")) {
                continue;
            }
            byte[] v = i.value();
            int colon = indexOf(v, (byte) ':');
            if (colon < 0) {
                invalid.add(i);
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
            Parameter old = at < 0 ? new Parameter(name, null, null) : params.get(at);
            Parameter updated = i.key().equals("parm") ? new Parameter(name, rest, old.type())
                    : new Parameter(name, old.description(), rest);
            if (at < 0) {
                params.add(0, updated);
            } else {
                params.set(at, updated);
            }
        }
        return params;
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
