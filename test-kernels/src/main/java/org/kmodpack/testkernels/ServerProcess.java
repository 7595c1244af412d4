package org.kmodpack.testkernels;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * A server a test starts on a loopback address (nginx, docker-registry): a free port, waiting until it listens,
 * stopping it.
 */
final class ServerProcess {
    private ServerProcess() {
    }

    /** 127.0.0.1 and a port that is free on it. */
    static InetSocketAddress freeLoopbackAddress() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return new InetSocketAddress("127.0.0.1", socket.getLocalPort());
        }
    }

    /** Returns once {@code process} accepts connections on {@code address}; throws with {@code log} if it exits. */
    static void awaitListening(Process process, InetSocketAddress address, String name, Path log) throws IOException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IOException(name + " exited with " + process.exitValue() + ": " + Files.readString(log));
            }
            try (Socket socket = new Socket()) {
                socket.connect(address, 200);
                return;
            } catch (IOException e) {
                try {
                    Thread.sleep(50);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    throw new InterruptedIOException("interrupted while starting " + name);
                }
            }
        }
        throw new IOException(name + " did not listen on " + address.getHostString() + ":" + address.getPort()
                + " within 20 s; see " + log);
    }

    /** SIGTERM, then SIGKILL if it has not exited within 10 s. */
    static void stop(Process process, boolean kill) throws IOException {
        if (kill) {
            process.destroyForcibly();
        } else {
            process.destroy();
        }
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while stopping a test server");
        }
    }
}
