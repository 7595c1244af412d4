package org.kmodpack.testkernels;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Which module exports which symbol, so each module's depends= can be written as modpost would. */
final class SymbolOwners {
    private final Map<String, String> modnameBySymbol = new HashMap<>();

    SymbolOwners(List<ModuleSpec> modules) {
        for (ModuleSpec module : modules) {
            for (String symbol : module.exports()) {
                modnameBySymbol.put(symbol, module.modname());
            }
        }
    }

    Optional<String> owner(String symbol) {
        return Optional.ofNullable(modnameBySymbol.get(symbol));
    }
}
