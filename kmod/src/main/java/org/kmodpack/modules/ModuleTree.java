package org.kmodpack.modules;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Collection;

/**
 * A module directory (what depmod calls ROOT/lib/modules/KVER) as {@link Depmod} reads it, whatever holds it: a
 * directory on disk ({@link DirectoryModuleTree}), an archive being unpacked, a bundle. Depmod reads nothing else.
 */
public interface ModuleTree {
    /**
     * The regular files of the tree as paths relative to it, '/'-separated, without a leading '/'; in any order.
     * Module files outside the module directory (depmod.d {@code external} directories, modules named on depmod's
     * command line) are listed by their absolute paths, which is how modules.dep writes them.
     * A symlink to a regular file or to a directory is listed as what it points to, since depmod follows links;
     * a tree that cannot resolve links may leave them out. Directories themselves are not listed.
     */
    Collection<String> files();

    /**
     * The bytes of {@code path}, one of {@link #files()}, from the buffer's position to its limit. The buffer
     * may be a read-only view or a mapping; depmod reads it (possibly from several threads, one file per
     * thread) and keeps no reference to it after it returns.
     */
    ByteBuffer read(String path) throws IOException;

    /**
     * What was read of the module file {@code path} before its bytes went (a tree streamed out of an archive), in
     * place of reading it; null when the tree reads its files ({@link #read}).
     */
    default ModuleFacts facts(String path) {
        return null;
    }
}
