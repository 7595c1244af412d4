package org.kmodpack.modules;

import java.util.List;
import org.kmodpack.format.ModuleContent.Value;
import org.kmodpack.format.ModuleSection.KeyTable;

/**
 * What modprobe reads of a module directory's depmod index: modules.dep by module number, modules.builtin, the
 * key tables searched as kmod searches them, and modules.softdep. A bundle's MODULES section answers it, and so
 * does a base's section merged with layers at lookup time ({@link LayeredLookup}).
 */
interface ModuleLookup {
    /**
     * Modules are numbered from 0 to this count, less one; one name may have two numbers (a base module and the
     * layer module overriding it), {@link #findModule} gives the one that counts.
     */
    int moduleCount();

    /** The number of the module of modules.dep with this name, or a negative number when there is none. */
    int findModule(String name);

    String moduleName(int module);

    /** Relative to the module directory. */
    String modulePath(int module);

    /** The numbers of the modules on the module's modules.dep line, in the line's order. */
    int[] moduleDeps(int module);

    boolean isBuiltin(String name);

    /** kmod's wildcard search of the table for {@code key}: the values found, in kmod's order. */
    List<Value> search(KeyTable table, String key);

    /** The text of modules.softdep. */
    String softdepConfig();
}
