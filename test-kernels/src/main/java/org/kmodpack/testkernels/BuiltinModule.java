package org.kmodpack.testkernels;

import java.util.List;

/**
 * A module compiled into the kernel image: listed in modules.builtin, its .modinfo in modules.builtin.modinfo.
 *
 * @param path as modules.builtin lists it, e.g. {@code kernel/crypto/crc32c_generic.ko}
 * @param info {@code key=value} entries
 */
record BuiltinModule(String path, List<String> info) {

    BuiltinModule {
        info = List.copyOf(info);
    }

    String modname() {
        String base = path.substring(path.lastIndexOf('/') + 1);
        return base.substring(0, base.indexOf('.')).replace('-', '_');
    }
}
