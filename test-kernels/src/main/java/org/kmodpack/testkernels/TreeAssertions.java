package org.kmodpack.testkernels;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Compares two trees the way a user would after unpacking: same names, kinds, bytes, modes, mtimes,
 * symlink targets (never followed), hard-link groups, and optionally owners. Reports every difference.
 */
public final class TreeAssertions {
    private static final LinkOption NOFOLLOW = LinkOption.NOFOLLOW_LINKS;

    private TreeAssertions() {
    }

    /**
     * Fails listing each difference between {@code expected} and {@code actual}. Symlink mtimes are compared
     * to the microsecond: Java sets a symlink's times through lutimes(2), which takes microseconds.
     */
    public static void assertSameTree(Path expected, Path actual, boolean compareOwners) throws IOException {
        Map<String, Path> left = index(expected);
        Map<String, Path> right = index(actual);
        List<String> problems = new ArrayList<>();
        for (String path : left.keySet()) {
            if (!right.containsKey(path)) {
                problems.add("missing: " + path);
            }
        }
        for (String path : right.keySet()) {
            if (!left.containsKey(path)) {
                problems.add("unexpected: " + path);
            }
        }
        Map<Object, String> leftLinks = new HashMap<>();
        Map<Object, String> rightLinks = new HashMap<>();
        for (var e : left.entrySet()) {
            Path other = right.get(e.getKey());
            if (other != null) {
                compare(e.getKey(), e.getValue(), other, compareOwners, problems, leftLinks, rightLinks);
            }
        }
        if (!problems.isEmpty()) {
            throw new AssertionError(problems.size() + " differences between " + expected + " and " + actual
                    + ":\n  " + String.join("\n  ", problems.subList(0, Math.min(50, problems.size()))));
        }
    }

    private static Map<String, Path> index(Path root) throws IOException {
        Map<String, Path> paths = new TreeMap<>();
        try (Stream<Path> walk = Files.walk(root)) {
            walk.forEach(p -> paths.put(root.relativize(p).toString(), p));
        }
        return paths;
    }

    private static void compare(String path, Path a, Path b, boolean owners, List<String> problems,
            Map<Object, String> leftLinks, Map<Object, String> rightLinks) throws IOException {
        Map<String, Object> x = Files.readAttributes(a, "unix:*", NOFOLLOW);
        Map<String, Object> y = Files.readAttributes(b, "unix:*", NOFOLLOW);
        BasicFileAttributes bx = Files.readAttributes(a, BasicFileAttributes.class, NOFOLLOW);
        BasicFileAttributes by = Files.readAttributes(b, BasicFileAttributes.class, NOFOLLOW);
        if (!Objects.equals(x.get("mode"), y.get("mode"))) {
            problems.add(path + ": mode 0" + Integer.toOctalString((Integer) x.get("mode")) + " vs 0"
                    + Integer.toOctalString((Integer) y.get("mode")));
            return;
        }
        Instant tx = bx.lastModifiedTime().toInstant();
        Instant ty = by.lastModifiedTime().toInstant();
        if (bx.isSymbolicLink()) {
            tx = tx.truncatedTo(ChronoUnit.MICROS);
            ty = ty.truncatedTo(ChronoUnit.MICROS);
        }
        if (!tx.equals(ty)) {
            problems.add(path + ": mtime " + tx + " vs " + ty);
        }
        if (owners && (!x.get("uid").equals(y.get("uid")) || !x.get("gid").equals(y.get("gid")))) {
            problems.add(path + ": owner " + x.get("uid") + ":" + x.get("gid") + " vs " + y.get("uid") + ":"
                    + y.get("gid"));
        }
        if (bx.isSymbolicLink()) {
            if (!Files.readSymbolicLink(a).equals(Files.readSymbolicLink(b))) {
                problems.add(path + ": symlink target " + Files.readSymbolicLink(a) + " vs "
                        + Files.readSymbolicLink(b));
            }
        } else if (bx.isRegularFile()) {
            if (bx.size() != by.size() || Files.mismatch(a, b) != -1) {
                problems.add(path + ": contents differ (" + bx.size() + " vs " + by.size() + " bytes)");
            }
            if ((Integer) x.get("nlink") > 1 || (Integer) y.get("nlink") > 1) {
                String leftFirst = leftLinks.putIfAbsent(List.of(x.get("dev"), x.get("ino")), path);
                String rightFirst = rightLinks.putIfAbsent(List.of(y.get("dev"), y.get("ino")), path);
                if (!Objects.equals(leftFirst, rightFirst)) {
                    problems.add(path + ": hard link to " + leftFirst + " vs " + rightFirst);
                }
            }
        }
    }
}
