package org.kmodpack.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.kmodpack.modules.Modinfo;

/**
 * modinfo --json: for each NAME, the modules it names with every field (in .modinfo order, hex values as
 * lowercase hex without kmod's line breaks, other values decoded as UTF-8) and parameters, or kmod's error.
 */
final class ModinfoJson {
    private ModinfoJson() {
    }

    /** Prints the array; returns modinfo's exit status (1 when a NAME is not found or unreadable). */
    static int print(Modinfo modinfo, List<String> names, PrintWriter out) throws IOException {
        List<Object> results = new ArrayList<>();
        boolean ok = true;
        for (String name : names) {
            Map<String, Object> result = new LinkedHashMap<>();
            result.put("name", name);
            Optional<List<Modinfo.Match>> found = modinfo.find(name);
            List<Object> modules = new ArrayList<>();
            String error = null;
            if (found.isEmpty()) {
                error = "Module alias " + name + " not found.";
            } else if (found.get().isEmpty()) {
                error = "Module " + name + " not found.";
            } else {
                for (Modinfo.Match match : found.get()) {
                    Map<String, Object> module = new LinkedHashMap<>();
                    module.put("module", match.name());
                    module.put("filename", match.filename().orElse(null));
                    module.put("builtin", match.filename().isEmpty());
                    Modinfo.Fields fields = modinfo.fields(match);
                    List<Object> fieldList = new ArrayList<>();
                    List<Object> parameters = new ArrayList<>();
                    if (fields.errno() != 0 && !(match.filename().isEmpty())) {
                        error = "could not get modinfo from '" + match.name() + "': " + Strerror.of(fields.errno());
                    } else if (fields.errno() == 0) {
                        for (Modinfo.Field field : fields.fields()) {
                            if (field.key().equals("parm") || field.key().equals("parmtype")) {
                                continue;
                            }
                            Map<String, Object> entry = new LinkedHashMap<>();
                            entry.put("key", field.key());
                            entry.put("value", field.hex() ? HexFormat.of().formatHex(field.value())
                                    : new String(field.value(), StandardCharsets.UTF_8));
                            fieldList.add(entry);
                        }
                        for (Modinfo.Parameter parameter : fields.parameters()) {
                            Map<String, Object> entry = new LinkedHashMap<>();
                            entry.put("name", text(parameter.name()));
                            entry.put("type", text(parameter.type()));
                            entry.put("description", text(parameter.description()));
                            parameters.add(entry);
                        }
                    }
                    module.put("fields", fieldList);
                    module.put("parameters", parameters);
                    modules.add(module);
                }
            }
            result.put("modules", modules);
            result.put("error", error);
            ok &= error == null;
            results.add(result);
        }
        out.println(Json.write(results));
        out.flush();
        return ok ? 0 : 1;
    }

    private static String text(byte[] bytes) {
        return bytes == null ? null : new String(bytes, StandardCharsets.UTF_8);
    }
}
