package org.kmodpack.testkernels;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The test vectors of spec/FORMAT.md, parsed from the document itself: the tests read the very bytes and
 * decoded values a reader of the spec sees, so the spec and the tests cannot drift apart. The reader's tests
 * decode them; the packer's test writes them again from the tree they describe.
 */
public final class SpecVectors {
    public static final List<String> NAMES = List.of("tiny-none", "tiny-zstd", "tiny-layer", "tiny-firmware",
            "tiny-resync", "tiny-symbols");

    private static String document;

    private SpecVectors() {
    }

    /** One line of a ```layout block: a field at a file offset, its type and its documented value. */
    public record Field(int line, long offset, String type, String name, String value) {
    }

    /** One entry line of an ```expect block. */
    public record ExpectedEntry(String path, String kind, int mode, int uid, int gid, String mtime, long size,
            int inode, int links, Map<String, String> rest) {
    }

    /**
     * An ```expect block: bundle facts (key to value), the module tree's entries and the firmware tree's
     * ({@code firmware} lines), each in index order.
     */
    public record Expected(Map<String, String> facts, List<ExpectedEntry> entries, List<ExpectedEntry> firmware) {
        public String fact(String key) {
            String value = facts.get(key);
            if (value == null) {
                throw new IllegalStateException("FORMAT.md expect block has no '" + key + "'");
            }
            return value;
        }
    }

    /** spec/FORMAT.md, found by walking up from the working directory (the module, or the reactor root). */
    public static Path formatDocument() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolve("spec/FORMAT.md");
            if (Files.isRegularFile(candidate)) {
                return candidate;
            }
        }
        throw new IllegalStateException("spec/FORMAT.md not found above " + Path.of("").toAbsolutePath());
    }

    public static synchronized String document() {
        if (document == null) {
            try {
                document = Files.readString(formatDocument(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return document;
    }

    /** The lines of the fenced block whose info string is exactly {@code info}. */
    public static List<String> block(String info) {
        List<String> lines = document().lines().toList();
        int start = lines.indexOf("```" + info);
        if (start < 0) {
            throw new IllegalStateException("FORMAT.md has no ```" + info + " block");
        }
        if (lines.subList(start + 1, lines.size()).contains("```" + info)) {
            throw new IllegalStateException("FORMAT.md has two ```" + info + " blocks");
        }
        int end = lines.subList(start, lines.size()).indexOf("```");
        if (end < 0) {
            throw new IllegalStateException("```" + info + " block is not closed");
        }
        return lines.subList(start + 1, start + end);
    }

    /**
     * The bytes of a ```hex block. Each line is "OFFSET: " followed by 39 columns of hex (eight groups of
     * four digits), two spaces and the ASCII rendering; offsets must be consecutive and the ASCII must
     * match, so a hand edit that leaves the dump inconsistent fails here rather than further on.
     */
    public static byte[] bytes(String vector) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        for (String line : block("hex " + vector)) {
            int colon = line.indexOf(": ");
            long offset = Long.parseLong(line.substring(0, colon), 16);
            if (offset != out.size()) {
                throw new IllegalStateException("hex line at " + line.substring(0, colon) + " follows "
                        + out.size() + " bytes");
            }
            String rest = line.substring(colon + 2);
            String hex = rest.substring(0, Math.min(39, rest.length())).replace(" ", "");
            byte[] row = HexFormat.of().parseHex(hex);
            String ascii = rest.length() > 41 ? rest.substring(41) : "";
            StringBuilder expectedAscii = new StringBuilder();
            for (byte b : row) {
                int c = b & 0xff;
                expectedAscii.append(c >= 0x20 && c < 0x7f ? (char) c : '.');
            }
            if (!ascii.equals(expectedAscii.toString())) {
                throw new IllegalStateException("hex line " + line.substring(0, colon) + ": ASCII column '"
                        + ascii + "' does not match its bytes '" + expectedAscii + "'");
            }
            out.writeBytes(row);
        }
        return out.toByteArray();
    }

    public static List<Field> layout(String vector) {
        List<Field> fields = new ArrayList<>();
        int number = 0;
        for (String line : block("layout " + vector)) {
            number++;
            String content = line.contains("#") ? line.substring(0, line.indexOf('#')) : line;
            if (content.isBlank()) {
                continue;
            }
            String[] parts = content.trim().split("\\s+", 4);
            fields.add(new Field(number, Long.decode(parts[0]), parts[1], parts[2], parts[3].trim()));
        }
        return fields;
    }

    public static Expected expected(String vector) {
        Map<String, String> facts = new LinkedHashMap<>();
        List<ExpectedEntry> entries = new ArrayList<>();
        List<ExpectedEntry> firmware = new ArrayList<>();
        for (String line : block("expect " + vector)) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            String[] parts = line.trim().split("\\s+");
            if (!parts[0].equals("entry") && !parts[0].equals("firmware")) {
                facts.put(parts[0], line.trim().split("\\s+", 2)[1]);
                continue;
            }
            Map<String, String> keyed = new LinkedHashMap<>();
            for (int i = 7; i < parts.length; i++) {
                int eq = parts[i].indexOf('=');
                keyed.put(parts[i].substring(0, eq), parts[i].substring(eq + 1));
            }
            List<ExpectedEntry> tree = parts[0].equals("entry") ? entries : firmware;
            tree.add(new ExpectedEntry(parts[1].equals(".") ? "" : parts[1], parts[2],
                    Integer.parseInt(parts[3], 8), Integer.parseInt(parts[4]), Integer.parseInt(parts[5]), parts[6],
                    Long.parseLong(keyed.remove("size")), Integer.parseInt(keyed.remove("inode")),
                    Integer.parseInt(keyed.remove("links")), keyed));
        }
        return new Expected(facts, entries, firmware);
    }

    /** Decodes the content notation of an expect block: "text" with \n \\ \" escapes, optionally *N. */
    public static byte[] content(String notation) {
        int star = notation.lastIndexOf("\"*");
        int repeat = star < 0 ? 1 : Integer.parseInt(notation.substring(star + 2));
        String quoted = star < 0 ? notation : notation.substring(0, star + 1);
        if (!quoted.startsWith("\"") || !quoted.endsWith("\"") || quoted.length() < 2) {
            throw new IllegalArgumentException("content " + notation + " is not a quoted string");
        }
        StringBuilder text = new StringBuilder();
        for (int i = 1; i < quoted.length() - 1; i++) {
            char c = quoted.charAt(i);
            if (c == '\\') {
                char next = quoted.charAt(++i);
                text.append(next == 'n' ? '\n' : next);
            } else {
                text.append(c);
            }
        }
        return text.toString().repeat(repeat).getBytes(StandardCharsets.UTF_8);
    }
}
