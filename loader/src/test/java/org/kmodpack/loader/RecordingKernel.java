package org.kmodpack.loader;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.kmodpack.modules.Errno;

/**
 * A kernel that holds what it is given instead of running it, as kmod's testsuite stands in for init_module and
 * delete_module: it records each load (name, image, parameters) and removal in order, answers /sys/module from
 * what it holds, counts a module's users from the dependencies it was told of, and refuses what a test says.
 */
final class RecordingKernel implements Kernel {
    record Load(String module, byte[] image, String params, int flags) {
    }

    private final Map<String, List<String>> dependencies;
    private final Set<String> live = new HashSet<>();
    private final Map<String, Integer> refusals = new HashMap<>();
    private final Map<String, Integer> busyRemovals = new HashMap<>();
    final List<Load> loads = new ArrayList<>();
    final List<String> removals = new ArrayList<>();

    /** {@code dependencies}: what each module uses once loaded (modules.dep), for the users count. */
    RecordingKernel(Map<String, List<String>> dependencies) {
        this.dependencies = dependencies;
    }

    /** The module is in the kernel before the test starts. */
    RecordingKernel withLive(String module) {
        live.add(module);
        return this;
    }

    /** Loading the module fails with {@code errno}. */
    RecordingKernel refusing(String module, int errno) {
        refusals.put(module, errno);
        return this;
    }

    /** The first {@code attempts} removals of the module find it in use (EAGAIN), whoever uses it. */
    RecordingKernel busyFor(String module, int attempts) {
        busyRemovals.put(module, attempts);
        return this;
    }

    @Override
    public ModuleState state(String module) {
        return live.contains(module) ? ModuleState.LIVE : ModuleState.ABSENT;
    }

    @Override
    public int refcount(String module) {
        if (!live.contains(module)) {
            return -1;
        }
        int users = 0;
        for (String user : live) {
            users += dependencies.getOrDefault(user, List.of()).contains(module) ? 1 : 0;
        }
        return users;
    }

    /** The live modules that depend on {@code module}, in name order; none readable for a module not live. */
    @Override
    public Optional<List<String>> holders(String module) {
        if (!live.contains(module)) {
            return Optional.empty();
        }
        return Optional.of(live.stream().filter(user -> dependencies.getOrDefault(user, List.of()).contains(module))
                .sorted().toList());
    }

    @Override
    public Optional<String> compression() {
        return Optional.empty();
    }

    @Override
    public int load(String module, byte[] image, String params, int flags) {
        if (refusals.containsKey(module)) {
            return -refusals.get(module);
        }
        if (!live.add(module)) {
            return -Errno.EEXIST;
        }
        loads.add(new Load(module, image, params, flags));
        return 0;
    }

    @Override
    public int remove(String module) {
        if (!live.contains(module)) {
            return -Errno.ENOENT;
        }
        int busy = busyRemovals.getOrDefault(module, 0);
        if (busy > 0) {
            busyRemovals.put(module, busy - 1);
            return -Errno.EAGAIN;
        }
        if (refcount(module) > 0) {
            return -Errno.EAGAIN;
        }
        live.remove(module);
        removals.add(module);
        return 0;
    }

    List<String> loaded() {
        return loads.stream().map(Load::module).toList();
    }
}
