package org.kmodpack.modules;

import java.util.List;

/**
 * Loading one module a lookup found: its name, whether the kernel has it built in (modules.builtin), whether
 * the blacklist stopped it, and the steps in order (none when blacklisted).
 */
public record ProbePlan(String module, boolean builtin, boolean blacklisted, List<ProbeStep> steps) {
    public ProbePlan {
        steps = List.copyOf(steps);
    }
}
