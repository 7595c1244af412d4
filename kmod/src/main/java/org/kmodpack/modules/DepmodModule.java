package org.kmodpack.modules;

import java.util.ArrayList;
import java.util.List;

/** One module as depmod computes with it: its place in depmod's array (the .bin priority) and its dependencies. */
final class DepmodModule {
    final String name;
    /** Relative to the module directory, or absolute for a file outside it, as modules.dep writes it. */
    final String path;
    int index;
    ModuleSymbols symbols;
    /** The modules exporting what this one needs, each once, in the order first needed; later sorted. */
    final List<DepmodModule> dependencies = new ArrayList<>();
    /** How many modules depend on this one. */
    int users;
    /** Position in the topological order, modules nothing depends on first. */
    int dependencyOrder = Integer.MAX_VALUE;

    DepmodModule(String name, String path) {
        this.name = name;
        this.path = path;
    }

    /** Whether {@code owner} was not yet a dependency. */
    boolean addDependency(DepmodModule owner) {
        if (dependencies.contains(owner)) {
            return false;
        }
        dependencies.add(owner);
        owner.users++;
        return true;
    }
}
