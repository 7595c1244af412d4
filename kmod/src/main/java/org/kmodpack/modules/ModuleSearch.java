package org.kmodpack.modules;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Which file depmod takes for each module name: files ending .ko, .ko.xz or .ko.zst (not .ko.gz: Debian's kmod
 * 30 has no zlib) outside excluded directories; for a name found twice, an {@code override} line's path wins,
 * then the {@code search} entry ranking higher (the "built-in" entry, or the lowest rank when there is none,
 * stands for every path no entry names; the "external" entry ranks the depmod.d external directories, whose
 * files the tree lists by absolute path); of two paths of equal rank the first one met is kept. depmod meets
 * files in the order its directory reads return them, which differs between file systems; we meet them in the
 * byte order of their paths, so that ties are decided the same way on every machine: the module directory's
 * first, then each external directory's, in depmod's order of them.
 */
final class ModuleSearch {
    private ModuleSearch() {
    }

    /** The chosen path of each module name. */
    static Map<String, String> choose(Collection<String> files, DepmodConfig config) {
        List<String> paths = new ArrayList<>();
        for (String path : files) {
            if (ModuleNames.isModuleFile(path) && !excluded(path, config)) {
                paths.add(path);
            }
        }
        // UTF-16 order is byte order of the UTF-8 file names outside the surrogate range.
        paths.sort(Comparator.comparingInt((String path) -> external(path, config)).thenComparing(path -> path));
        Map<String, String> chosen = new HashMap<>();
        for (String path : paths) {
            String name = ModuleNames.fromPath(path);
            String old = chosen.get(name);
            if (old == null || !keepsOld(config, old, path)) {
                chosen.put(name, path);
            }
        }
        return chosen;
    }

    /** 0 for the module directory's files, else 1 + the index of the first external directory holding it. */
    private static int external(String path, DepmodConfig config) {
        if (!path.startsWith("/")) {
            return 0;
        }
        List<String> externals = config.externals();
        for (int i = 0; i < externals.size(); i++) {
            if (under(path, externals.get(i))) {
                return i + 1;
            }
        }
        return externals.size() + 1;
    }

    /**
     * Whether a directory of the path is excluded. Files outside the module directory come from directories that
     * were listed with the excluded names skipped (the names of the directory itself do not count).
     */
    private static boolean excluded(String path, DepmodConfig config) {
        if (path.startsWith("/")) {
            return false;
        }
        for (String name : path.split("/")) {
            if (config.excludes(name)) {
                return true;
            }
        }
        return false;
    }

    /**
     * depmod_module_is_higher_priority. Paths are compared without extension: the directory part and as many
     * characters of the file name as the module name has. Overrides and search paths name files of the module
     * directory only; external directories rank the files under them.
     */
    static boolean keepsOld(DepmodConfig config, String oldPath, String newPath) {
        String oldStem = stem(oldPath);
        String newStem = stem(newPath);
        boolean oldInside = !oldStem.startsWith("/");
        boolean newInside = !newStem.startsWith("/");
        for (String override : config.overrides()) {
            if (newInside && override.equals(newStem)) {
                return false;
            }
            if (oldInside && override.equals(oldStem)) {
                return true;
            }
        }
        int builtIn = -1;
        int oldRank = -1;
        int newRank = -1;
        int rank = 0;
        for (DepmodConfig.Search search : config.searches()) {
            if (search.path().equals(DepmodConfig.BUILT_IN)) {
                builtIn = rank;
            } else if (search.path().equals(DepmodConfig.EXTERNAL)) {
                for (String external : config.externals()) {
                    if (under(newStem, external)) {
                        newRank = rank;
                    }
                    if (under(oldStem, external)) {
                        oldRank = rank;
                    }
                    rank++;
                }
            } else if (newInside && under(newStem, search.path())) {
                newRank = rank;
            } else if (oldInside && under(oldStem, search.path())) {
                oldRank = rank;
            }
            rank++;
        }
        if (newRank < 0) {
            newRank = builtIn;
        }
        if (oldRank < 0) {
            oldRank = builtIn;
        }
        return newRank <= oldRank;
    }

    private static boolean under(String stem, String directory) {
        return stem.length() > directory.length() && stem.charAt(directory.length()) == '/'
                && stem.startsWith(directory);
    }

    private static String stem(String path) {
        int slash = path.lastIndexOf('/') + 1;
        return path.substring(0, slash + ModuleNames.fromPath(path).length());
    }
}
