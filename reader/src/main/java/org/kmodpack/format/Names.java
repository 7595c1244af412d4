package org.kmodpack.format;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The rules for one path component, shared by the packer (which refuses such names) and the reader (which
 * refuses bundles holding them). A component can never contain '/', so '..', absolute paths and empty
 * components cannot be expressed in a valid bundle.
 */
public final class Names {
    public static final int MAX_NAME_LENGTH = 255;
    public static final int MAX_SYMLINK_TARGET_LENGTH = 4095;

    private Names() {
    }

    public static boolean isValidName(byte[] name) {
        if (name.length == 0 || name.length > MAX_NAME_LENGTH) {
            return false;
        }
        if (name.length <= 2 && (name[0] == '.' && (name.length == 1 || name[1] == '.'))) {
            return false;
        }
        for (byte b : name) {
            if (b == '/' || b == 0) {
                return false;
            }
        }
        return Utf8.isValid(name);
    }

    /** Why {@code name} is refused, for error messages; null when it is valid. */
    public static String problemWith(String name) {
        byte[] bytes = name.getBytes(StandardCharsets.UTF_8);
        if (bytes.length == 0) {
            return "its name is empty";
        }
        if (bytes.length > MAX_NAME_LENGTH) {
            return "its name is longer than " + MAX_NAME_LENGTH + " bytes";
        }
        if (name.equals(".") || name.equals("..")) {
            return "its name is '" + name + "'";
        }
        if (name.indexOf('/') >= 0 || name.indexOf('\0') >= 0) {
            return "its name contains '/' or NUL";
        }
        return isValidName(bytes) ? null : "its name is not valid UTF-8";
    }

    /** Unsigned bytewise order: the order of children in a directory, and what lookups binary-search by. */
    public static int compare(byte[] a, byte[] b) {
        return Arrays.compareUnsigned(a, b);
    }
}
