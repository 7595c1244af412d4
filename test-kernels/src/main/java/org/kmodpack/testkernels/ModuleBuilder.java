package org.kmodpack.testkernels;

import java.util.ArrayList;
import java.util.List;

/** Fluent construction of a {@link ModuleSpec}, so tree definitions read like a module's MODULE_* macros. */
final class ModuleBuilder {
    private final String stem;
    private Compression compression = Compression.NONE;
    private final List<String> info = new ArrayList<>();
    private final List<String> exports = new ArrayList<>();
    private boolean withCrcs = true;
    private final List<String> imports = new ArrayList<>();
    private final List<String> weakImports = new ArrayList<>();
    private int blobBytes;

    private ModuleBuilder(String stem, String description) {
        this.stem = stem;
        info.add("license=GPL");
        info.add("description=" + description);
        info.add("author=kmodpack test-kernels");
    }

    static ModuleBuilder module(String stem, String description) {
        return new ModuleBuilder(stem, description);
    }

    ModuleBuilder compressed(Compression value) {
        compression = value;
        return this;
    }

    ModuleBuilder alias(String... aliases) {
        for (String alias : aliases) {
            info.add("alias=" + alias);
        }
        return this;
    }

    ModuleBuilder softdep(String value) {
        info.add("softdep=" + value);
        return this;
    }

    ModuleBuilder firmware(String file) {
        info.add("firmware=" + file);
        return this;
    }

    ModuleBuilder intParameter(String name, String description) {
        info.add("parm=" + name + ":" + description);
        info.add("parmtype=" + name + ":int");
        return this;
    }

    ModuleBuilder exports(String... symbols) {
        exports.addAll(List.of(symbols));
        return this;
    }

    /** Exports through {@code __ksymtab_strings} only, the path depmod takes for modules built without modversions. */
    ModuleBuilder withoutCrcs() {
        withCrcs = false;
        return this;
    }

    ModuleBuilder imports(String... symbols) {
        imports.addAll(List.of(symbols));
        return this;
    }

    ModuleBuilder weakImports(String... symbols) {
        weakImports.addAll(List.of(symbols));
        return this;
    }

    ModuleBuilder blob(int bytes) {
        blobBytes = bytes;
        return this;
    }

    ModuleSpec build() {
        return new ModuleSpec(stem, compression, info, exports, withCrcs, imports, weakImports, blobBytes);
    }
}
