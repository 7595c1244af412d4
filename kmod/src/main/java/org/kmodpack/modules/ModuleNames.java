package org.kmodpack.modules;

import java.util.List;
import java.util.Optional;

/**
 * How kmod spells module names: a module file's name is its basename up to the first '.', with '-' as '_'
 * (libkmod's path_to_modname), and a name or alias given by a user or a configuration file has '-' as '_'
 * outside bracket expressions, unbalanced brackets making it invalid (libkmod's alias_normalize, which
 * config parsing's underscores() and depmod's .bin keys use too).
 */
public final class ModuleNames {
    /** What depmod takes for a module file (not .ko.gz: Debian's kmod 30 has no zlib). */
    private static final List<String> EXTENSIONS = List.of(".ko", ".ko.xz", ".ko.zst");

    private ModuleNames() {
    }

    /** Whether depmod takes the file at {@code path} for a module: by its extension. */
    public static boolean isModuleFile(String path) {
        String file = path.substring(path.lastIndexOf('/') + 1);
        for (String extension : EXTENSIONS) {
            if (file.length() > extension.length() && file.endsWith(extension)) {
                return true;
            }
        }
        return false;
    }

    /**
     * depmod's "uncrelpath", the key modules.order lines are matched with: the path up to the file name, then
     * as many characters of the file name as the module name has, plus three (".ko" for a module file).
     */
    public static String uncompressedPath(String path) {
        int slash = path.lastIndexOf('/') + 1;
        return path.substring(0, Math.min(path.length(), slash + fromPath(path).length() + 3));
    }

    /** path_to_modname: "kernel/fs/fat/vfat.ko.xz" is "vfat", "drivers/x/snd-hda.ko" is "snd_hda". */
    public static String fromPath(String path) {
        String file = path.substring(path.lastIndexOf('/') + 1);
        int dot = file.indexOf('.');
        return (dot < 0 ? file : file.substring(0, dot)).replace('-', '_');
    }

    /** alias_normalize: '-' → '_' outside brackets; empty for an unbalanced ']' or '['. */
    public static Optional<String> underscores(String name) {
        if (name.indexOf('-') < 0 && name.indexOf('[') < 0 && name.indexOf(']') < 0) {
            return Optional.of(name);
        }
        StringBuilder out = new StringBuilder(name.length());
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c == '-') {
                out.append('_');
            } else if (c == ']') {
                return Optional.empty();
            } else if (c == '[') {
                int close = name.indexOf(']', i);
                if (close < 0) {
                    return Optional.empty();
                }
                out.append(name, i, close + 1);
                i = close;
            } else {
                out.append(c);
            }
        }
        return Optional.of(out.toString());
    }
}
