package org.kmodpack.fuse;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import jnr.ffi.LastError;
import jnr.ffi.LibraryLoader;
import jnr.ffi.Runtime;
import jnr.ffi.annotations.In;

/**
 * How a mount daemon tells whoever started it that the tree answers, and then leaves their terminal: the
 * sd_notify protocol for systemd ({@code Type=notify}: "READY=1" in one datagram to the AF_UNIX socket
 * $NOTIFY_SOCKET, '@' meaning the abstract namespace), and for kmodpack's launcher a line "READY=1" on the file
 * descriptor named by {@value #READY_FD}, which the launcher reads before it returns. Java 17 has no Unix
 * datagram channel, so both go through libc (jnr-ffi).
 */
public final class Readiness {
    /** The environment variable naming the descriptor the launcher waits on. */
    public static final String READY_FD = "KMODPACK_READY_FD";
    public static final String NOTIFY_SOCKET = "NOTIFY_SOCKET";

    /** libc as the daemon needs it; the open(2) flags are asm-generic's, which x86 and the common ABIs share. */
    public interface LibC {
        int socket(int domain, int type, int protocol);

        long sendto(int fd, @In byte[] message, long length, int flags, @In byte[] address, int addressLength);

        long write(int fd, @In byte[] buffer, long count);

        int open(String path, int flags, int mode);

        int dup2(int from, int to);

        int close(int fd);
    }

    private static final int AF_UNIX = 1;
    private static final int SOCK_DGRAM = 2;
    private static final int SOCK_CLOEXEC = 02000000;
    private static final int O_WRONLY = 01;
    private static final int O_CREAT = 0100;
    private static final int O_APPEND = 02000;
    private static final int O_CLOEXEC = 02000000;
    private static final int SUN_PATH_MAX = 108;

    private final LibC libc = LibraryLoader.create(LibC.class).load("c");
    private final Runtime runtime = Runtime.getRuntime(libc);

    /** Whether a launcher waits for this process's readiness on a descriptor (a daemon started in background). */
    public static boolean launcherWaits() {
        return System.getenv(READY_FD) != null;
    }

    /**
     * Tells systemd (if $NOTIFY_SOCKET is set) and the launcher (if {@value #READY_FD} is set) that the mount
     * answers. The launcher's descriptor is closed afterwards, so it sees the end of the pipe as well.
     */
    public void ready(String status) throws IOException {
        String socket = System.getenv(NOTIFY_SOCKET);
        if (socket != null) {
            notifySystemd(socket, "READY=1\nSTATUS=" + status + "\nMAINPID=" + ProcessHandle.current().pid());
        }
        String fd = System.getenv(READY_FD);
        if (fd != null) {
            int descriptor = Integer.parseInt(fd);
            byte[] line = "READY=1\n".getBytes(StandardCharsets.US_ASCII);
            if (libc.write(descriptor, line, line.length) != line.length) {
                throw new IOException("cannot tell the launcher the mount is ready (descriptor " + fd + "): "
                        + strerror());
            }
            libc.close(descriptor);
        }
    }

    /** Tells systemd the daemon is stopping, so a stop is not taken for a crash. */
    public void stopping() {
        String socket = System.getenv(NOTIFY_SOCKET);
        if (socket != null) {
            try {
                notifySystemd(socket, "STOPPING=1");
            } catch (IOException e) {
                // systemd may already be gone at shutdown; the unmount goes on regardless.
            }
        }
    }

    /**
     * Points this process's stdout and stderr at {@code log} (appending), so the daemon no longer holds the
     * terminal or pipe it was started from: a caller reading the launcher's output sees its end.
     */
    public void redirectOutput(Path log) throws IOException {
        int fd = libc.open(log.toString(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
        if (fd < 0) {
            throw new IOException(log + ": cannot open the daemon's log: " + strerror());
        }
        System.out.flush();
        System.err.flush();
        if (libc.dup2(fd, 1) < 0 || libc.dup2(fd, 2) < 0) {
            throw new IOException(log + ": cannot send the daemon's output there: " + strerror());
        }
        libc.close(fd);
    }

    private void notifySystemd(String socket, String message) throws IOException {
        byte[] path = socket.getBytes(StandardCharsets.UTF_8);
        if (path.length == 0 || path.length >= SUN_PATH_MAX || (path[0] != '/' && path[0] != '@')) {
            throw new IOException(NOTIFY_SOCKET + "=" + socket + " is not a Unix socket path");
        }
        if (path[0] == '@') {
            path[0] = 0; // abstract namespace: the name is exactly these bytes, no terminating NUL
        }
        ByteBuffer address = ByteBuffer.allocate(2 + path.length + (path[0] == 0 ? 0 : 1))
                .order(ByteOrder.nativeOrder());
        address.putShort((short) AF_UNIX).put(path);
        byte[] bytes = message.getBytes(StandardCharsets.UTF_8);
        int fd = libc.socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        if (fd < 0) {
            throw new IOException("cannot notify systemd at " + socket + ": socket: " + strerror());
        }
        try {
            if (libc.sendto(fd, bytes, bytes.length, 0, address.array(), address.capacity()) != bytes.length) {
                throw new IOException("cannot notify systemd at " + socket + ": " + strerror());
            }
        } finally {
            libc.close(fd);
        }
    }

    private String strerror() {
        return "errno " + LastError.getLastError(runtime);
    }
}
