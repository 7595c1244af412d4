package org.kmodpack.modules;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * depmod's topological sort (modules nothing depends on first, roots taken last-in first-out), which orders each
 * module's dependencies; modules.dep lists every module's dependencies, direct and indirect, in that order.
 */
final class DependencyOrder {
    private DependencyOrder() {
    }

    /** Numbers the modules and sorts their dependencies; a cycle is an error, as in depmod. */
    static void sort(List<DepmodModule> modules) throws DepmodCycleException {
        int[] users = new int[modules.size()];
        int[] roots = new int[modules.size()];
        int rootCount = 0;
        for (int i = 0; i < modules.size(); i++) {
            users[i] = modules.get(i).users;
            if (users[i] == 0) {
                roots[rootCount++] = i;
            }
        }
        int sorted = 0;
        while (rootCount > 0) {
            DepmodModule module = modules.get(roots[--rootCount]);
            module.dependencyOrder = sorted++;
            for (DepmodModule dependency : module.dependencies) {
                if (--users[dependency.index] == 0) {
                    roots[rootCount++] = dependency.index;
                }
            }
        }
        if (sorted < modules.size()) {
            throw cycles(modules, users);
        }
        for (DepmodModule module : modules) {
            module.dependencies.sort(Comparator.comparingInt(dependency -> dependency.dependencyOrder));
        }
    }

    /** Every dependency of {@code module}, direct and indirect, each once, in dependency order. */
    static List<DepmodModule> closure(DepmodModule module) {
        Set<DepmodModule> all = new LinkedHashSet<>();
        Deque<DepmodModule> pending = new ArrayDeque<>(module.dependencies);
        while (!pending.isEmpty()) {
            DepmodModule next = pending.pop();
            if (all.add(next)) {
                pending.addAll(next.dependencies);
            }
        }
        List<DepmodModule> sorted = new ArrayList<>(all);
        sorted.sort(Comparator.comparingInt(dependency -> dependency.dependencyOrder));
        return sorted;
    }

    /** The cycles among the modules the sort could not place, each written "a -> b -> a". */
    private static DepmodCycleException cycles(List<DepmodModule> modules, int[] users) {
        List<String> cycles = new ArrayList<>();
        Set<DepmodModule> inCycles = new LinkedHashSet<>();
        Set<DepmodModule> done = new LinkedHashSet<>();
        for (int i = 0; i < modules.size(); i++) {
            if (users[i] > 0 && !done.contains(modules.get(i))) {
                walk(modules.get(i), new ArrayList<>(), users, done, inCycles, cycles);
            }
        }
        return new DepmodCycleException(inCycles.size(), cycles);
    }

    private static void walk(DepmodModule module, List<DepmodModule> path, int[] users, Set<DepmodModule> done,
            Set<DepmodModule> inCycles, List<String> cycles) {
        int seen = path.indexOf(module);
        if (seen >= 0) {
            StringBuilder cycle = new StringBuilder();
            for (DepmodModule member : path.subList(seen, path.size())) {
                inCycles.add(member);
                cycle.append(member.name).append(" -> ");
            }
            cycles.add(cycle.append(module.name).toString());
            return;
        }
        if (!done.add(module)) {
            return;
        }
        path.add(module);
        for (DepmodModule dependency : module.dependencies) {
            if (users[dependency.index] > 0) {
                walk(dependency, path, users, done, inCycles, cycles);
            }
        }
        path.remove(path.size() - 1);
    }
}
