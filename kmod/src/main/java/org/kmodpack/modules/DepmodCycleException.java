package org.kmodpack.modules;

import java.io.IOException;
import java.util.List;

/** Modules that depend on each other in a circle: depmod writes no index then. */
public final class DepmodCycleException extends IOException {
    private final int modules;
    private final List<String> cycles;

    DepmodCycleException(int modules, List<String> cycles) {
        super(modules + " modules in dependency cycles: " + String.join("; ", cycles));
        this.modules = modules;
        this.cycles = List.copyOf(cycles);
    }

    /** How many modules lie on a cycle. */
    public int modules() {
        return modules;
    }

    /** Each cycle as module names joined by " -> ", starting and ending with the same module. */
    public List<String> cycles() {
        return cycles;
    }
}
