package org.kmodpack.cli;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import jnr.ffi.LastError;
import jnr.ffi.LibraryLoader;
import jnr.ffi.Runtime;
import jnr.ffi.annotations.In;
import jnr.ffi.annotations.Out;

/**
 * The receiving end of the sd_notify protocol, as systemd binds it for a Type=notify service: an AF_UNIX datagram
 * socket in the abstract namespace ($NOTIFY_SOCKET starting with '@'). Java 17 has no Unix datagram channel.
 */
final class NotifySocket implements AutoCloseable {
    /** The libc calls a datagram receiver needs. */
    public interface LibC {
        int socket(int domain, int type, int protocol);

        int bind(int fd, @In byte[] address, int length);

        int setsockopt(int fd, int level, int name, @In byte[] value, int length);

        long recv(int fd, @Out byte[] buffer, long length, int flags);

        int close(int fd);
    }

    private static final int AF_UNIX = 1;
    private static final int SOCK_DGRAM = 2;
    private static final int SOL_SOCKET = 1;
    private static final int SO_RCVTIMEO = 20;

    private final LibC libc = LibraryLoader.create(LibC.class).load("c");
    private final int fd;
    final String address;

    /** Binds @NAME; receives time out after {@code timeoutSeconds}. */
    NotifySocket(String name, int timeoutSeconds) throws IOException {
        address = "@" + name;
        fd = libc.socket(AF_UNIX, SOCK_DGRAM, 0);
        byte[] path = name.getBytes(StandardCharsets.UTF_8);
        ByteBuffer sockaddr = ByteBuffer.allocate(3 + path.length).order(ByteOrder.nativeOrder());
        sockaddr.putShort((short) AF_UNIX).put((byte) 0).put(path);
        ByteBuffer timeout = ByteBuffer.allocate(16).order(ByteOrder.nativeOrder()).putLong(timeoutSeconds).putLong(0);
        if (fd < 0 || libc.bind(fd, sockaddr.array(), sockaddr.capacity()) != 0
                || libc.setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, timeout.array(), 16) != 0) {
            throw new IOException("cannot bind " + address + ": errno " + LastError.getLastError(Runtime.getRuntime(libc)));
        }
    }

    /** The next datagram, or null if none came in time. */
    String receive() {
        byte[] buffer = new byte[4096];
        long n = libc.recv(fd, buffer, buffer.length, 0);
        return n < 0 ? null : new String(buffer, 0, (int) n, StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        libc.close(fd);
    }
}
