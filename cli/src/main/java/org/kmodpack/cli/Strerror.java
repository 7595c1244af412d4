package org.kmodpack.cli;

import org.kmodpack.modules.Errno;

/** glibc's strerror text for the errno values kmod reports: kmod prints it, so kmodpack prints the same words. */
final class Strerror {
    private Strerror() {
    }

    static String of(int errno) {
        return switch (errno) {
            case Errno.EPERM -> "Operation not permitted";
            case Errno.ENOENT -> "No such file or directory";
            case Errno.ESRCH -> "No such process";
            case Errno.EIO -> "Input/output error";
            case Errno.ENOEXEC -> "Exec format error";
            case Errno.EAGAIN -> "Resource temporarily unavailable";
            case Errno.ENOMEM -> "Cannot allocate memory";
            case Errno.EFAULT -> "Bad address";
            case Errno.EBUSY -> "Device or resource busy";
            case Errno.EEXIST -> "File exists";
            case Errno.EINVAL -> "Invalid argument";
            case Errno.ETXTBSY -> "Text file busy";
            case Errno.EFBIG -> "File too large";
            case Errno.ENOSPC -> "No space left on device";
            case Errno.ENOSYS -> "Function not implemented";
            case Errno.EBADMSG -> "Bad message";
            case Errno.ENOKEY -> "Required key not available";
            case Errno.EKEYEXPIRED -> "Key has expired";
            case Errno.EKEYREVOKED -> "Key has been revoked";
            case Errno.EKEYREJECTED -> "Key was rejected by service";
            default -> "Unknown error " + errno;
        };
    }
}
