package org.kmodpack.modules;

import java.util.List;
import org.kmodpack.format.ModuleContent.Value;
import org.kmodpack.format.ModuleSection;
import org.kmodpack.format.ModuleSection.KeyTable;

/** Lookups answered by one bundle's MODULES section. */
record SectionLookup(ModuleSection section) implements ModuleLookup {
    @Override
    public int moduleCount() {
        return section.moduleCount();
    }

    @Override
    public int findModule(String name) {
        return section.findModule(name);
    }

    @Override
    public String moduleName(int module) {
        return section.moduleName(module);
    }

    @Override
    public String modulePath(int module) {
        return section.modulePath(module);
    }

    @Override
    public int[] moduleDeps(int module) {
        return section.moduleDeps(module);
    }

    @Override
    public boolean isBuiltin(String name) {
        return section.isBuiltin(name);
    }

    @Override
    public List<Value> search(KeyTable table, String key) {
        return WildcardSearch.search(section, table, key);
    }

    @Override
    public String softdepConfig() {
        return section.softdepConfig();
    }
}
