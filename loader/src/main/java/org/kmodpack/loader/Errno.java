package org.kmodpack.loader;

/**
 * The errno values module loading meets, as numbered on every architecture Debian builds for (asm-generic),
 * and glibc's strerror text for them: kmod prints that text, so kmodpack prints the same words.
 */
final class Errno {
    static final int EPERM = 1;
    static final int ENOENT = 2;
    static final int ESRCH = 3;
    static final int EIO = 5;
    static final int ENOEXEC = 8;
    static final int EAGAIN = 11;
    static final int ENOMEM = 12;
    static final int EFAULT = 14;
    static final int EBUSY = 16;
    static final int EEXIST = 17;
    static final int EINVAL = 22;
    static final int ETXTBSY = 26;
    static final int EFBIG = 27;
    static final int ENOSPC = 28;
    static final int ENOSYS = 38;
    static final int EBADMSG = 74;
    static final int ENOKEY = 126;
    static final int EKEYEXPIRED = 127;
    static final int EKEYREVOKED = 128;
    static final int EKEYREJECTED = 129;

    private Errno() {
    }

    static String strerror(int errno) {
        return switch (errno) {
            case EPERM -> "Operation not permitted";
            case ENOENT -> "No such file or directory";
            case ESRCH -> "No such process";
            case EIO -> "Input/output error";
            case ENOEXEC -> "Exec format error";
            case EAGAIN -> "Resource temporarily unavailable";
            case ENOMEM -> "Cannot allocate memory";
            case EFAULT -> "Bad address";
            case EBUSY -> "Device or resource busy";
            case EEXIST -> "File exists";
            case EINVAL -> "Invalid argument";
            case ETXTBSY -> "Text file busy";
            case EFBIG -> "File too large";
            case ENOSPC -> "No space left on device";
            case ENOSYS -> "Function not implemented";
            case EBADMSG -> "Bad message";
            case ENOKEY -> "Required key not available";
            case EKEYEXPIRED -> "Key has expired";
            case EKEYREVOKED -> "Key has been revoked";
            case EKEYREJECTED -> "Key was rejected by service";
            default -> "Unknown error " + errno;
        };
    }
}
