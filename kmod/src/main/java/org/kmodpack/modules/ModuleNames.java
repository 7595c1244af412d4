package org.kmodpack.modules;

import java.util.Optional;

/**
 * How kmod spells module names: a module file's name is its basename up to the first '.', with '-' as '_'
 * (libkmod's path_to_modname), and a name or alias given by a user or a configuration file has '-' as '_'
 * outside bracket expressions, unbalanced brackets making it invalid (libkmod's alias_normalize, which
 * config parsing's underscores() and depmod's .bin keys use too).
 */
public final class ModuleNames {
    private ModuleNames() {
    }

    /** Whether a file's name or path is a module's, plain or compressed by the kernel build (.ko.gz too). */
    public static boolean isModuleFile(String path) {
        return path.endsWith(".ko") || path.endsWith(".ko.xz") || path.endsWith(".ko.zst") || path.endsWith(".ko.gz");
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
