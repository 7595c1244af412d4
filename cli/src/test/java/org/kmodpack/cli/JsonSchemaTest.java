package org.kmodpack.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.kmodpack.cli.CliTest.run;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.kmodpack.cli.CliTest.Run;
import org.kmodpack.testkernels.SyntheticFirmware;
import org.kmodpack.testkernels.SyntheticKernel;
import org.kmodpack.testkernels.SyntheticKernels;

/**
 * Every --json output against the schema the README documents for it (the README's own text is parsed, so the
 * two cannot drift apart): signed and unsigned bundles, a damaged one, module signatures, modinfo's errors.
 */
class JsonSchemaTest {
    private static final Pattern SCHEMA = Pattern.compile(
            "<!-- json-schema: (\\w+)(?:; optional: ([\\w ]+))? -->\\n```json\\n(.*?)\\n```", Pattern.DOTALL);

    @TempDir
    static Path work;
    static Path unsigned;
    static Path signed;
    static Path release;
    static final Map<String, JsonElement> SCHEMAS = new HashMap<>();
    static final Map<String, Set<String>> OPTIONAL = new HashMap<>();

    @BeforeAll
    static void bundlesAndSchemas() throws IOException {
        Path tree = SyntheticKernels.moduleDir(SyntheticKernel.BASIC);
        unsigned = work.resolve("unsigned.kpack");
        assertEquals(0, run("pack", tree.toString(), "-o", unsigned.toString(), "--block-size", "4K").exit());
        assertEquals(0, run("keygen", "-o", work.resolve("release").toString()).exit());
        release = work.resolve("release.pub");
        signed = work.resolve("signed.kpack");
        assertEquals(0, run("pack", tree.toString(), "-o", signed.toString(), "--sign",
                work.resolve("release.key").toString(), "--expires", "2099-01-01").exit());
        String readme = Files.readString(Launcher.CHECKOUT.resolve("README.md"));
        Matcher schema = SCHEMA.matcher(readme);
        while (schema.find()) {
            SCHEMAS.put(schema.group(1), JsonParser.parseString(schema.group(3)));
            OPTIONAL.put(schema.group(1), schema.group(2) == null ? Set.of() : Set.of(schema.group(2).split(" ")));
        }
        assertEquals(Set.of("info", "ls", "verify", "modinfo"), SCHEMAS.keySet());
    }

    /** Runs with --json; asserts one line of JSON on stdout that matches the command's schema. */
    private static JsonElement valid(String command, int exit, String... args) {
        Run run = run(args);
        assertEquals(exit, run.exit(), run.err());
        assertEquals(1, run.out().lines().count(), run.out());
        JsonElement json = JsonParser.parseString(run.out());
        check(command, SCHEMAS.get(command), json, "$");
        return json;
    }

    private static void check(String command, JsonElement schema, JsonElement value, String where) {
        if (schema.isJsonPrimitive()) {
            List<String> types = List.of(schema.getAsString().split("\\|"));
            boolean ok = value.isJsonNull() ? types.contains("null")
                    : value.isJsonPrimitive() && value.getAsJsonPrimitive().isBoolean() ? types.contains("boolean")
                    : value.isJsonPrimitive() && value.getAsJsonPrimitive().isString() ? types.contains("string")
                    : value.isJsonPrimitive() && value.getAsJsonPrimitive().isNumber()
                            && (types.contains("number") || types.contains("integer")
                                    && value.getAsBigDecimal().stripTrailingZeros().scale() <= 0);
            assertTrue(ok, where + ": " + value + " is not " + schema.getAsString());
        } else if (schema.isJsonArray()) {
            assertTrue(value.isJsonArray(), where + ": not an array: " + value);
            JsonArray array = value.getAsJsonArray();
            for (int i = 0; i < array.size(); i++) {
                check(command, schema.getAsJsonArray().get(0), array.get(i), where + "[" + i + "]");
            }
        } else {
            assertTrue(value.isJsonObject(), where + ": not an object: " + value);
            JsonObject object = value.getAsJsonObject();
            JsonObject shape = schema.getAsJsonObject();
            for (String key : object.keySet()) {
                if (!shape.has(key)) {
                    fail(where + ": key " + key + " is not in the README's schema of " + command);
                }
                check(command, shape.get(key), object.get(key), where + "." + key);
            }
            for (String key : shape.keySet()) {
                assertTrue(object.has(key) || OPTIONAL.get(command).contains(key), where + ": no " + key);
            }
        }
    }

    @Test
    void info() {
        JsonObject plain = valid("info", 0, "info", "--json", unsigned.toString()).getAsJsonObject();
        assertFalse(plain.get("signed").getAsBoolean());
        assertTrue(plain.get("distinct_file_bytes").getAsLong() <= plain.get("file_bytes").getAsLong());
        JsonObject trusted = valid("info", 0, "info", "--json", signed.toString(), "--trust", release.toString())
                .getAsJsonObject();
        assertEquals(1, trusted.getAsJsonArray("signers").size());
        assertEquals("2099-01-01T00:00:00Z", trusted.get("expires").getAsString());
        assertTrue(trusted.get("modules").getAsInt() > 10, trusted.toString());
    }

    @Test
    void ls() {
        JsonArray all = valid("ls", 0, "ls", "--json", "-R", unsigned.toString()).getAsJsonArray();
        assertTrue(all.size() > 40, all.toString());
        valid("ls", 0, "ls", "--json", unsigned.toString(), "modules.dep");
    }

    @Test
    void firmwareInInfoAndLs() throws IOException {
        Path withFirmware = work.resolve("firmware.kpack");
        assertEquals(0, run("pack", SyntheticKernels.moduleDir(SyntheticKernel.FIRMWARE).toString(), "-o",
                withFirmware.toString(), "--firmware", SyntheticFirmware.write(work.resolve("firmware")).toString())
                .exit());
        JsonObject info = valid("info", 0, "info", "--json", withFirmware.toString()).getAsJsonObject();
        assertEquals(1, info.getAsJsonObject("firmware").getAsJsonArray("missing").size(), info.toString());
        JsonArray firmware = valid("ls", 0, "ls", "--firmware", "--json", "-R", withFirmware.toString())
                .getAsJsonArray();
        assertTrue(firmware.toString().contains("\"modules\":[\"acme_wifi\"]"), firmware.toString());
    }

    @Test
    void verifyReportsEverySignatureAndBlock() throws IOException {
        JsonObject good = valid("verify", 0, "verify", "--json", signed.toString(), "--trust", release.toString())
                .getAsJsonObject();
        assertTrue(good.get("verified").getAsBoolean());
        assertEquals("trusted", good.getAsJsonArray("signatures").get(0).getAsJsonObject().get("status").getAsString());
        JsonObject allowed = valid("verify", 0, "verify", "--json", unsigned.toString(), "--allow-unsigned")
                .getAsJsonObject();
        assertFalse(allowed.get("signatures_checked").getAsBoolean());
        assertTrue(allowed.getAsJsonArray("blocks").size() > 1);

        Path damaged = work.resolve("damaged.kpack");
        Files.copy(unsigned, damaged);
        try (FileChannel channel = FileChannel.open(damaged, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            java.nio.ByteBuffer one = java.nio.ByteBuffer.allocate(1);
            channel.read(one, 200);
            one.put(0, (byte) (one.get(0) ^ 0x55)).rewind();
            channel.write(one, 200);
        }
        JsonObject refused = valid("verify", 1, "verify", "--json", damaged.toString(), "--allow-unsigned")
                .getAsJsonObject();
        assertFalse(refused.get("verified").getAsBoolean());
        assertEquals("sha256 mismatch", refused.getAsJsonArray("blocks").get(0).getAsJsonObject().get("status")
                .getAsString());
        assertEquals("ok", refused.getAsJsonArray("blocks").get(1).getAsJsonObject().get("status").getAsString());
        Run text = run("verify", damaged.toString(), "--allow-unsigned");
        assertEquals("kmodpack: " + damaged + ": block 0 fails its SHA-256 check; the bundle was modified or "
                + "damaged after packing: copy it again\n", text.err());
        assertTrue(text.out().contains("damaged:     block 0 does not match its SHA-256\n"), text.out());
    }

    @Test
    void modinfoWithErrors() {
        JsonArray answers = valid("modinfo", 1, "modinfo", "--json", unsigned.toString(), "e1000e",
                "no-such-module").getAsJsonArray();
        assertTrue(answers.get(0).getAsJsonObject().get("error").isJsonNull());
        assertEquals("Module no-such-module not found.", answers.get(1).getAsJsonObject().get("error").getAsString());
    }
}
