package org.kmodpack.modules;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import org.kmodpack.format.ModinfoField;
import org.kmodpack.format.ModuleSection;
import org.kmodpack.reader.Bundle;
import org.kmodpack.reader.Entry;

/**
 * A firmware directory as the kernel's firmware loader and the initramfs builders (dracut, Alpine's mkinitfs)
 * find a module's {@code firmware=} names in it: the name itself, then NAME.zst and NAME.xz, every one present
 * being kept as the directory has it; a name with {@code * ? [} is a glob over the paths (a wildcard does not
 * cross '/'); a symlink on the way counts with what it leads to, followed inside the directory as the kernel's
 * path lookup follows it.
 */
public final class FirmwareFiles {
    /** What a path of the directory is. */
    public enum Kind {
        FILE, DIRECTORY, SYMLINK
    }

    /** One path of the directory; {@code target} is a symlink's, verbatim, and null otherwise. */
    public record Node(Kind kind, String target) {
    }

    /** A module and the firmware names its {@code firmware=} fields give. */
    public record Request(String module, List<String> names) {
        /** The request of the module {@code module} whose modinfo is {@code info}; its names may be none. */
        public static Request of(String module, List<ModinfoField> info) {
            List<String> names = new ArrayList<>();
            for (ModinfoField field : info) {
                if (field.key().equals(MODINFO_KEY) && !field.inFile()) {
                    names.add(new String(field.value(), StandardCharsets.UTF_8));
                }
            }
            return new Request(module, List.copyOf(names));
        }
    }

    /**
     * Which files and symlinks serve the names modules ask for, each with the modules asking (sorted), and
     * which names nothing serves, with the modules asking for each.
     */
    public record Wants(SortedMap<String, SortedSet<String>> files, SortedMap<String, SortedSet<String>> missing) {
    }

    /** The modinfo field that names a firmware file a module loads (MODULE_FIRMWARE). */
    public static final String MODINFO_KEY = "firmware";
    /** The suffixes the kernel's loader tries after the plain name, in its order. */
    public static final List<String> COMPRESSED_SUFFIXES = List.of(".zst", ".xz");
    /** As the kernel's path lookup: more symlinks than this on one path is a loop (ELOOP). */
    private static final int MAX_LINKS = 40;

    private final Map<String, Node> nodes;

    /** {@code nodes} by path relative to the directory, '/'-separated; the directory itself is not among them. */
    public FirmwareFiles(Map<String, Node> nodes) {
        this.nodes = Map.copyOf(nodes);
    }

    /** Every file and symlink of the directory, sorted. */
    public SortedSet<String> files() {
        SortedSet<String> files = new TreeSet<>();
        nodes.forEach((path, node) -> {
            if (node.kind() != Kind.DIRECTORY) {
                files.add(path);
            }
        });
        return files;
    }

    /**
     * The files and symlinks that serve {@code name} (each symlink on the way, then the file it leads to), in the
     * order found; empty when nothing does.
     */
    public List<String> resolve(String name) {
        Set<String> found = new LinkedHashSet<>();
        if (isGlob(name)) {
            for (String path : files()) {
                if (globMatches(name, path) || globMatches(name, withoutCompressedSuffix(path))) {
                    follow(path, found);
                }
            }
        } else {
            follow(name, found);
            for (String suffix : COMPRESSED_SUFFIXES) {
                follow(name + suffix, found);
            }
        }
        return List.copyOf(found);
    }

    /**
     * The firmware tree of {@code bundle} (empty without one) and what the modules of its module index ask for,
     * resolved in it: the files that serve them and the names it lacks.
     */
    public static Wants wants(Bundle bundle) throws IOException {
        Map<String, Node> nodes = new HashMap<>();
        for (Entry entry : bundle.firmwareEntries()) {
            if (!entry.path().isEmpty()) {
                nodes.put(entry.path(), new Node(entry.isDirectory() ? Kind.DIRECTORY : entry.isSymlink()
                        ? Kind.SYMLINK : Kind.FILE, entry.symlinkTarget()));
            }
        }
        List<Request> requests = new ArrayList<>();
        Optional<ModuleSection> modules = bundle.modules();
        if (modules.isPresent()) {
            for (int module = 0; module < modules.get().moduleCount(); module++) {
                List<ModinfoField> info = ModuleSection.decodeInfo(
                        bundle.readModuleInfo(modules.get().moduleInfo(module)), bundle.toString());
                requests.add(Request.of(modules.get().moduleName(module), info));
            }
        }
        return new FirmwareFiles(nodes).wants(requests);
    }

    /** Resolves every name of every request. */
    public Wants wants(List<Request> requests) {
        SortedMap<String, SortedSet<String>> files = new TreeMap<>();
        SortedMap<String, SortedSet<String>> missing = new TreeMap<>();
        for (Request request : requests) {
            for (String name : request.names()) {
                List<String> paths = resolve(name);
                if (paths.isEmpty()) {
                    missing.computeIfAbsent(name, n -> new TreeSet<>()).add(request.module());
                }
                for (String path : paths) {
                    files.computeIfAbsent(path, p -> new TreeSet<>()).add(request.module());
                }
            }
        }
        return new Wants(Collections.unmodifiableSortedMap(files), Collections.unmodifiableSortedMap(missing));
    }

    static boolean isGlob(String name) {
        return name.indexOf('*') >= 0 || name.indexOf('?') >= 0 || name.indexOf('[') >= 0;
    }

    private static String withoutCompressedSuffix(String path) {
        for (String suffix : COMPRESSED_SUFFIXES) {
            if (path.endsWith(suffix)) {
                return path.substring(0, path.length() - suffix.length());
            }
        }
        return path;
    }

    /** glob(3) without GLOB_PERIOD subtleties: component by component, so a wildcard never matches '/'. */
    private static boolean globMatches(String pattern, String path) {
        String[] patterns = pattern.split("/", -1);
        String[] components = path.split("/", -1);
        if (patterns.length != components.length) {
            return false;
        }
        for (int i = 0; i < patterns.length; i++) {
            if (!Fnmatch.matches(patterns[i], components[i])) {
                return false;
            }
        }
        return true;
    }

    /** Adds the symlinks on the way to {@code path} and the file it names to {@code found}, if it names one. */
    private void follow(String path, Set<String> found) {
        List<String> links = new ArrayList<>();
        List<String> remaining = normalized(List.of(), path);
        for (int hops = 0; remaining != null && hops <= MAX_LINKS; hops++) {
            String at = "";
            List<String> next = null;
            for (int i = 0; i < remaining.size(); i++) {
                at = at.isEmpty() ? remaining.get(i) : at + "/" + remaining.get(i);
                Node node = nodes.get(at);
                boolean last = i == remaining.size() - 1;
                if (node == null || node.kind() == Kind.FILE && !last || node.kind() == Kind.DIRECTORY && last) {
                    return;
                }
                if (node.kind() == Kind.SYMLINK) {
                    if (node.target().startsWith("/")) {
                        // Absolute: the directory it names is the target system's, not this one.
                        return;
                    }
                    links.add(at);
                    List<String> base = new ArrayList<>(remaining.subList(0, i));
                    String rest = String.join("/", remaining.subList(i + 1, remaining.size()));
                    next = normalized(base, rest.isEmpty() ? node.target() : node.target() + "/" + rest);
                    break;
                }
                if (last) {
                    found.addAll(links);
                    found.add(at);
                    return;
                }
            }
            remaining = next;
        }
    }

    /** {@code relative} resolved against the components {@code base}; null when '..' leaves the directory. */
    private static List<String> normalized(List<String> base, String relative) {
        List<String> out = new ArrayList<>(base);
        for (String component : Arrays.asList(relative.split("/"))) {
            if (component.isEmpty() || component.equals(".")) {
                continue;
            }
            if (component.equals("..")) {
                if (out.isEmpty()) {
                    return null;
                }
                out.remove(out.size() - 1);
            } else {
                out.add(component);
            }
        }
        return out.isEmpty() ? null : out;
    }
}
