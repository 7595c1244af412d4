package org.kmodpack.modules;

import java.util.List;

/**
 * Removing one module a lookup found: whether it is built in, the configuration's remove command (null for
 * none) and the modules its softdep names before and after it.
 */
public record RemovePlan(String module, boolean builtin, String removeCommand, List<String> pre,
        List<String> post) {
    public RemovePlan {
        pre = List.copyOf(pre);
        post = List.copyOf(post);
    }
}
